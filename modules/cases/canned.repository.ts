import { sql, type RawBuilder, type Selectable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { CaseCannedRepliesTable } from './cases.table.ts'

export type CannedReply = Selectable<CaseCannedRepliesTable>

/** The canned replies a staff member may use, their own and the shared ones, by title, as one JSON value for a page loader. */
export function usableQuery(staffId: string): RawBuilder<Array<Record<string, unknown>>> {
  return sql`select to_json(array(select row_to_json(x) from (
    select * from case_canned_replies where owner_id is null or owner_id = ${staffId} order by title, id) x))`
}

export function findUsable(db: DbOrTrx, staffId: string, id: string) {
  return db.selectFrom('case_canned_replies').selectAll().where('id', '=', id)
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', staffId)])).executeTakeFirst()
}

export function insertCanned(trx: DbOrTrx, values: { title: string; body: string; owner_id: string | null; created_by: string }) {
  return trx.insertInto('case_canned_replies').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function updateCanned(trx: DbOrTrx, id: string, values: { title: string; body: string; owner_id: string | null }): Promise<void> {
  await trx.updateTable('case_canned_replies').set({ ...values, updated_at: sql`now()` }).where('id', '=', id).execute()
}

export async function deleteCanned(trx: DbOrTrx, id: string): Promise<void> {
  await trx.deleteFrom('case_canned_replies').where('id', '=', id).execute()
}
