import type { Cradle } from '../../core/container.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import type { Actor } from '../../core/data/audit/audit.service.ts'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { addBusinessMinutes, businessMinutesBetween, type Calendar } from '../../core/lib/business-hours.ts'
import { caseMail } from './case-mail.ts'
import type { CaseStatus, Priority } from './cases.table.ts'
import * as repo from './targets.repository.ts'
import './cases.events.ts'

/** Statuses in which the target clock stands still. */
const pausedStatuses: CaseStatus[] = ['waiting', 'resolved', 'closed', 'cancelled']
/** A case is at risk once less than this share of its target is left. */
const atRiskShare = 0.25
const sweepJob = 'cases.targets'

export type Settings = Awaited<ReturnType<typeof repo.readSettings>>
type Timed = { partner_id: string; priority: Priority; created_at: Date; status: CaseStatus; paused_at: Date | null; paused_minutes: number; first_response_at: Date | null }

export type TargetsForm = {
  targets: Array<{ priority: Priority; first_response_minutes: number; resolution_minutes: number }>
  levelTargets: Array<{ level_id: string; priority: Priority; first_response_minutes: number | null; resolution_minutes: number | null }>
  calendar: { time_zone: string; days: number[]; start_minute: number; end_minute: number }
  holidays: Array<{ day: string; name: string }>
}

/** A priority's targets for a partner level: the level's own where it sets one, else the priority's. */
export function targetFor(s: Settings, priority: Priority, levelId: string | null) {
  const base = s.targets.find((t) => t.priority === priority)
  if (!base) return undefined
  const own = levelId ? s.levelTargets.find((t) => t.level_id === levelId && t.priority === priority) : undefined
  return {
    first_response_minutes: own?.first_response_minutes ?? base.first_response_minutes,
    resolution_minutes: own?.resolution_minutes ?? base.resolution_minutes
  }
}

export const calendarOf = (s: Settings): Calendar => ({
  timeZone: s.calendar.time_zone, days: s.calendar.days, startMinute: s.calendar.start_minute, endMinute: s.calendar.end_minute, holidays: s.holidays.map((h) => h.day)
})

/**
 * Service targets: staff admins set first-response and resolution targets per priority, optionally
 * overridden per partner level, in business minutes of one calendar. The clock stands still while a case waits on the partner (or is resolved)
 * and runs again when it is open; a sweep marks cases at risk and breached, once each, and e-mails the assignee.
 */
export class CaseTargets {
  constructor(private readonly deps: Pick<Cradle, 'db' | 'clock' | 'jobs' | 'mailer'> & { events: EventBus }) {
    deps.jobs.register(sweepJob, (_payload, trx) => this.sweep(trx))
  }

  settings(db: DbOrTrx = this.deps.db): Promise<Settings> {
    return repo.readSettings(db)
  }

  async save(actor: Actor, form: TargetsForm): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.saveTargets(trx, form.targets)
      await repo.saveLevelTargets(trx, form.levelTargets)
      await repo.saveCalendar(trx, form.calendar, form.holidays)
      await audit(trx, actor, { action: 'cases.targets-changed', entity: 'case-targets', after: form })
    })
  }

  /** The due times of a case from its creation, its priority's targets (its partner level's) and the business minutes it has been paused. */
  dueTimes(settings: Settings, levelId: string | null, c: Pick<Timed, 'priority' | 'created_at' | 'paused_minutes'>) {
    const target = targetFor(settings, c.priority, levelId)
    if (!target) return { first_response_due_at: null, resolution_due_at: null }
    const calendar = calendarOf(settings)
    return {
      first_response_due_at: addBusinessMinutes(c.created_at, target.first_response_minutes, calendar),
      resolution_due_at: addBusinessMinutes(c.created_at, target.resolution_minutes + c.paused_minutes, calendar)
    }
  }

  /** What a new case's row starts with, and its sweeps queued for when its targets near and pass. */
  async opened(trx: DbOrTrx, c: { partner_id: string; priority: Priority; created_at: Date }) {
    const due = this.dueTimes(await this.settings(trx), await repo.levelOf(trx, c.partner_id), { ...c, paused_minutes: 0 })
    await this.schedule(trx, c.created_at, due)
    return due
  }

  /**
   * The target fields a change of status or priority sets: leaving the active statuses stops the
   * clock, coming back adds the business minutes it stood still and moves the resolution due time;
   * a new priority recomputes both due times. A breach notice already sent stays.
   */
  async changed(trx: DbOrTrx, before: Timed, after: { status: CaseStatus; priority: Priority }) {
    const now = new Date(this.deps.clock.now())
    const wasPaused = pausedStatuses.includes(before.status)
    const paused = pausedStatuses.includes(after.status)
    if (wasPaused === paused && before.priority === after.priority) return {}
    const settings = await this.settings(trx)
    if (!wasPaused && paused) return { paused_at: now }
    const pausedMinutes = before.paused_minutes + (wasPaused && !paused && before.paused_at ? businessMinutesBetween(before.paused_at, now, calendarOf(settings)) : 0)
    const due = this.dueTimes(settings, await repo.levelOf(trx, before.partner_id), { priority: after.priority, created_at: before.created_at, paused_minutes: pausedMinutes })
    if (!paused) await this.schedule(trx, now, due)
    return { ...due, paused_minutes: pausedMinutes, ...(wasPaused && !paused ? { paused_at: null, at_risk_at: null } : {}) }
  }

  /** Sweeps at the moments a case's targets come near and pass (real time in production, where the clock is the system's). */
  private async schedule(trx: DbOrTrx, from: Date, due: { first_response_due_at: Date | null; resolution_due_at: Date | null }): Promise<void> {
    for (const at of [due.first_response_due_at, due.resolution_due_at]) {
      if (!at) continue
      const risky = new Date(at.getTime() - (at.getTime() - from.getTime()) * atRiskShare)
      for (const when of [risky, at]) await this.deps.jobs.enqueue(trx, sweepJob, {}, when, { orderingKey: sweepJob })
    }
  }

  /**
   * Marks the cases whose target has passed as breached and those with less than a quarter of it
   * left as at risk, each once (two runners sweeping at once send one notice: the second waits on
   * the row and finds it marked), and e-mails the assignee.
   */
  async sweep(trx: DbOrTrx): Promise<void> {
    const now = new Date(this.deps.clock.now())
    const settings = await this.settings(trx)
    const calendar = calendarOf(settings)
    const horizon = new Date(now.getTime() + 60 * 86_400_000)
    for (const c of await repo.casesToCheck(trx, horizon)) {
      const target = targetFor(settings, c.priority, c.level_id)
      const pending = [
        ...(c.first_response_at === null && c.first_response_due_at ? [{ due: c.first_response_due_at, minutes: target?.first_response_minutes ?? 0, what: 'first response' }] : []),
        ...(c.resolution_due_at ? [{ due: c.resolution_due_at, minutes: (target?.resolution_minutes ?? 0) + c.paused_minutes, what: 'resolution' }] : [])
      ]
      const breached = pending.find((p) => p.due <= now)
      const atRisk = !breached && !c.at_risk_at && pending.find((p) => businessMinutesBetween(now, p.due, calendar) < p.minutes * atRiskShare)
      const mark = breached ? 'breached_at' : atRisk ? 'at_risk_at' : null
      const which = breached ?? atRisk
      if (!mark || !which || !await repo.markOnce(trx, c.id, mark, now)) continue
      if (breached) await this.deps.events.emit(trx, 'case.breached', c.id, { caseId: c.id, partnerId: c.partner_id, by: null, target: which.what })
      if (c.assignee_email && c.assignee_status === 'active') {
        await this.deps.mailer.send(trx, caseMail.target(c.assignee_email, c, breached ? 'breached' : 'at-risk', which.what, which.due, this.deps.mailer.link(`/admin/cases/${c.id}`)))
      }
    }
  }
}
