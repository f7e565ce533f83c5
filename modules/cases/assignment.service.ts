import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { Invalid } from '../../core/lib/errors.ts'
import * as repo from './assignment.repository.ts'
import { assignmentModes, type AssignmentMode } from './cases.table.ts'

/**
 * The staff admins' rule that gives each new case to a member of a team: in turn (round-robin), or
 * to whoever holds the fewest open cases; and their switch that raises cases about a deal in its
 * last stage in the queue. The rule's row is locked while one case is given, so two
 * cases opened at once go to two people in turn.
 */
export class CaseAssignment {
  constructor(private readonly deps: { db: Db }) {}

  async rule() {
    const rule = await repo.readRule(this.deps.db)
    return { ...rule, members: await repo.activeStaff(this.deps.db, rule.team) }
  }

  /** The rule, and whether cases about a deal in its last stage come first in the queue (a box ticked or not). */
  async save(actor: Actor, form: { mode: unknown; team: unknown; raise: unknown }): Promise<void> {
    const mode = form.mode as AssignmentMode
    if (!assignmentModes.includes(mode)) throw new Invalid({ mode: 'Choose how new cases are assigned.' })
    const chosen = [...new Set([form.team ?? []].flat().map(String))]
    const team = (await repo.activeStaff(this.deps.db, chosen.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))).map((s) => s.id)
    if (team.length !== chosen.length) throw new Invalid({ team: 'Choose colleagues from the list.' })
    if (mode !== 'off' && team.length === 0) throw new Invalid({ team: 'Choose at least one colleague to assign cases to.' })
    const raise = Boolean(form.raise)
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.saveRule(trx, { mode, team, raise_last_stage: raise })
      await audit(trx, actor, { action: 'cases.assignment-rule-changed', entity: 'case-assignment', after: { mode, team, raise_last_stage: raise } })
    })
  }

  /** Who a new case goes to under the rule, or null when it is off or the team has nobody active. */
  async pick(trx: DbOrTrx): Promise<{ id: string; name: string; email: string } | null> {
    const rule = await repo.readRule(trx, true)
    if (rule.mode === 'off') return null
    const team = await repo.activeStaff(trx, rule.team)
    if (team.length === 0) return null
    let chosen = team[0]!
    if (rule.mode === 'round_robin') {
      const last = team.findIndex((s) => s.id === rule.last_assigned_id)
      chosen = team[(last + 1) % team.length]!
    } else {
      const counts = await repo.openCounts(trx, team.map((s) => s.id))
      chosen = team.reduce((best, s) => ((counts.get(s.id) ?? 0) < (counts.get(best.id) ?? 0) ? s : best), chosen)
    }
    await repo.rememberAssigned(trx, chosen.id)
    return chosen
  }
}
