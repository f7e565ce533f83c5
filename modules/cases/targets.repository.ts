import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { Priority } from './cases.table.ts'

export async function readSettings(db: DbOrTrx) {
  const [targets, levelTargets, calendar, holidays] = await Promise.all([
    db.selectFrom('case_targets').selectAll().execute(),
    db.selectFrom('case_level_targets').selectAll().execute(),
    db.selectFrom('case_calendar').selectAll().where('id', '=', 1).executeTakeFirstOrThrow(),
    db.selectFrom('case_holidays').select([sql<string>`day::text`.as('day'), 'name']).orderBy('day').execute()
  ])
  return { targets, levelTargets, calendar, holidays }
}

/** The level of a case's partner, whose own targets (where set) the case keeps. */
export async function levelOf(db: DbOrTrx, partnerId: string): Promise<string | null> {
  const row = await partnerProfiles(db).where('partners.id', '=', partnerId).executeTakeFirst()
  return row?.level_id ?? null
}

export async function saveTargets(trx: DbOrTrx, rows: Array<{ priority: Priority; first_response_minutes: number; resolution_minutes: number }>): Promise<void> {
  for (const row of rows) {
    await trx.updateTable('case_targets').set({ first_response_minutes: row.first_response_minutes, resolution_minutes: row.resolution_minutes })
      .where('priority', '=', row.priority).execute()
  }
}

/** Replaces the levels' own targets. */
export async function saveLevelTargets(trx: DbOrTrx, rows: Array<{ level_id: string; priority: Priority; first_response_minutes: number | null; resolution_minutes: number | null }>): Promise<void> {
  await trx.deleteFrom('case_level_targets').execute()
  if (rows.length) await trx.insertInto('case_level_targets').values(rows).execute()
}

export async function saveCalendar(trx: DbOrTrx, calendar: { time_zone: string; days: number[]; start_minute: number; end_minute: number }, holidays: Array<{ day: string; name: string }>): Promise<void> {
  await trx.updateTable('case_calendar').set(calendar).where('id', '=', 1).execute()
  await trx.deleteFrom('case_holidays').execute()
  if (holidays.length) await trx.insertInto('case_holidays').values(holidays).execute()
}

/** Active cases whose clock runs and whose target is near or past, with no notice sent of it yet: what a sweep looks at. */
export function casesToCheck(db: DbOrTrx, horizon: Date) {
  return db.selectFrom('cases').leftJoin('users as assignee', 'assignee.id', 'cases.assignee_id')
    .leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'cases.partner_id')
    .select(['partners.level_id', 'cases.id', 'cases.number', 'cases.subject', 'cases.partner_id', 'cases.priority', 'cases.created_at', 'cases.first_response_at',
      'cases.first_response_due_at', 'cases.resolution_due_at', 'cases.paused_minutes', 'cases.at_risk_at', 'assignee.email as assignee_email', 'assignee.status as assignee_status'])
    .where('cases.status', 'in', ['new', 'open']).where('cases.paused_at', 'is', null).where('cases.breached_at', 'is', null)
    .where((eb) => eb.or([
      eb.and([eb('cases.first_response_at', 'is', null), eb('cases.first_response_due_at', '<=', horizon)]),
      eb('cases.resolution_due_at', '<=', horizon)
    ]))
    .orderBy('cases.resolution_due_at').limit(500).execute()
}

/** Marks a case at risk or breached once: false when another run has already (the row lock makes the second wait, then find it marked). */
export async function markOnce(trx: DbOrTrx, id: string, column: 'at_risk_at' | 'breached_at', at: Date): Promise<boolean> {
  const result = await trx.updateTable('cases').set({ [column]: at }).where('id', '=', id).where(column, 'is', null).executeTakeFirst()
  return result.numUpdatedRows > 0n
}
