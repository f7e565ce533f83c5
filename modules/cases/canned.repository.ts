import { sql, type RawBuilder } from 'kysely'
import type { Db, DbOrTrx } from '../../core/data/database.ts'

/** The canned replies a staff member may use: their own and the shared ones, by title. */
export function listUsable(db: Db, staffId: string) {
  return usableSelect(db, staffId).execute()
}

export type CannedReply = Awaited<ReturnType<typeof listUsable>>[number]

/** The same as one JSON value for a page loader. */
export function usableQuery(db: Db, staffId: string): RawBuilder<Array<Record<string, unknown>>> {
  return sql`select to_json(array(select row_to_json(x) from (${usableSelect(db, staffId)}) x))`
}

function usableSelect(db: Db, staffId: string) {
  return db.selectFrom('case_canned_replies').selectAll()
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', staffId)]))
    .orderBy('title').orderBy('id')
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
