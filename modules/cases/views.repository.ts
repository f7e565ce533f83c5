import type { Db, DbOrTrx } from '../../core/data/database.ts'

/** A staff member's saved views and the shared ones, shared first, by name. */
export function listUsable(db: Db, staffId: string) {
  return db.selectFrom('case_views').selectAll()
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', staffId)]))
    .orderBy((eb) => eb('owner_id', 'is', null), 'desc').orderBy('name').limit(30).execute()
}

export function findUsable(db: DbOrTrx, staffId: string, id: string) {
  return db.selectFrom('case_views').selectAll().where('id', '=', id)
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', staffId)])).executeTakeFirst()
}

export function insertView(trx: DbOrTrx, view: { name: string; query: string; owner_id: string | null; created_by: string }) {
  return trx.insertInto('case_views').values(view).returningAll().executeTakeFirstOrThrow()
}

export async function deleteView(trx: DbOrTrx, id: string): Promise<void> {
  await trx.deleteFrom('case_views').where('id', '=', id).execute()
}
