import type { DbOrTrx } from '../../core/data/database.ts'
import type { AssignmentMode } from './cases.table.ts'

export function readRule(db: DbOrTrx, lock = false) {
  return db.selectFrom('case_assignment').selectAll().where('id', '=', 1).$if(lock, (q) => q.forUpdate()).executeTakeFirstOrThrow()
}

export async function saveRule(trx: DbOrTrx, rule: { mode: AssignmentMode; team: string[]; raise_last_stage: boolean }): Promise<void> {
  await trx.updateTable('case_assignment').set(rule).where('id', '=', 1).execute()
}

export async function rememberAssigned(trx: DbOrTrx, userId: string): Promise<void> {
  await trx.updateTable('case_assignment').set({ last_assigned_id: userId }).where('id', '=', 1).execute()
}

/** The team's active staff, in the team's order as given. */
export async function activeStaff(db: DbOrTrx, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids).where('kind', '=', 'staff').where('status', '=', 'active').execute()
  return ids.map((id) => rows.find((r) => r.id === id)).filter((r): r is NonNullable<typeof r> => Boolean(r))
}

/** How many cases still being worked each of these staff members holds. */
export async function openCounts(db: DbOrTrx, ids: string[]): Promise<Map<string, number>> {
  const rows = await db.selectFrom('cases').select(['assignee_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('assignee_id', 'in', ids).where('status', 'in', ['new', 'open', 'waiting']).groupBy('assignee_id').execute()
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]))
}
