import { sql } from 'kysely'
import type { Db, DbOrTrx } from '../../data/database.ts'
import type { MailRow, MailStatus } from './mail.table.ts'

export async function insertMail(db: DbOrTrx, mail: { to: string; subject: string; body: string }): Promise<string> {
  const row = await db.insertInto('mail_outbox')
    .values({ to_address: mail.to, subject: mail.subject, body: mail.body })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

export function findMail(db: DbOrTrx, id: string): Promise<MailRow | undefined> {
  return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function setMailStatus(db: DbOrTrx, id: string, status: MailStatus, error: string | null = null): Promise<void> {
  await db.updateTable('mail_outbox')
    .set({ status, error, sent_at: status === 'sent' ? sql`now()` : null })
    .where('id', '=', id).execute()
}

/** Mail, newest first, after `before` (the last shown: its time as PostgreSQL prints it, `created_key`, and id). */
export function listMail(db: Db, filter: { to?: string; before?: { key: string; id: string }; limit: number }) {
  let query = db.selectFrom('mail_outbox').selectAll().select(sql<string>`created_at::text`.as('created_key'))
  if (filter.to) query = query.where('to_address', 'ilike', `%${filter.to.replace(/[%_\\]/g, '\\$&')}%`)
  if (filter.before) {
    const at = sql<Date>`${filter.before.key}::timestamptz`
    const id = filter.before.id
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]))
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()
}

export async function mailSummary(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('mail_outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('created_at', '>', sql<Date>`now() - interval '30 days'`)
    .groupBy('status').execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}
