import { sql, type Insertable } from 'kysely'
import type { DbOrTrx } from '../../data/database.ts'
import type { FormSubmissionsTable } from './submissions.table.ts'

export function findSubmission(db: DbOrTrx, actor: string, key: string) {
  return db.selectFrom('form_submissions').select(['location', 'fingerprint']).where('actor', '=', actor).where('key', '=', key).executeTakeFirst()
}

export async function insertSubmission(trx: DbOrTrx, submission: Insertable<FormSubmissionsTable>): Promise<void> {
  await trx.insertInto('form_submissions').values(submission).execute()
}

export async function deleteSubmissionsOlderThan(db: DbOrTrx, days: number): Promise<void> {
  await db.deleteFrom('form_submissions').where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`).execute()
}
