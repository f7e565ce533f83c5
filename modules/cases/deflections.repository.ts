import type { Db, DbOrTrx } from '../../core/data/database.ts'

export async function insertDeflection(db: DbOrTrx, d: { provider: string; href: string; title: string; subject: string; user_id: string; partner_id: string }) {
  return db.insertInto('case_deflections').values(d).returningAll().executeTakeFirstOrThrow()
}

/** The suggestions that answered partners' questions, the most often first. */
export function deflectionsByAnswer(db: Db, limit: number) {
  return db.selectFrom('case_deflections')
    .select(['provider', 'href', (eb) => eb.fn.max('title').as('title'), (eb) => eb.fn.countAll<string>().as('deflected'),
      (eb) => eb.fn.max('created_at').as('last_at')])
    .groupBy(['provider', 'href']).orderBy('deflected', 'desc').orderBy('href').limit(limit).execute()
}
