import { sql, type RawBuilder, type Selectable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { CaseViewsTable } from './cases.table.ts'

/** A staff member's saved views and the shared ones, shared first, by name, as one JSON value for a page loader. */
export function usableQuery(staffId: string): RawBuilder<Array<Json<CaseView>>> {
  return sql`select to_json(array(select row_to_json(v) from (
    select * from case_views where owner_id is null or owner_id = ${staffId} order by owner_id is null desc, name limit 30) v))`
}

type CaseView = Selectable<CaseViewsTable>
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] }
export const viewOf = (row: Json<CaseView>): CaseView => ({ ...row, created_at: new Date(row.created_at) })

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
