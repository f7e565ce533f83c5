import type { RawBuilder } from 'kysely'
import type { Cradle } from '../../core/container.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import type { Actor } from '../../core/data/audit/audit.service.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import { decodeCursor, encodeCursor, type Page } from '../../core/lib/pagination.ts'
import type { Upload } from '../../core/lib/uploads.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { isId } from '../../core/lib/validation.ts'
import type { CaseAttachments } from './attachments.service.ts'
import type { CaseTargets } from './targets.service.ts'
import { caseMail } from './case-mail.ts'
import { caseNumber, statusTimes } from './case-rules.ts'
import { readRule } from './assignment.repository.ts'
import * as repo from './cases.repository.ts'
import type { CaseEventKind, CaseEventRow, CaseStatus, Priority } from './cases.table.ts'
import { deflectionsByAnswer } from './deflections.repository.ts'
import * as figures from './figures.repository.ts'
import type { QueueFilter, QueueSort } from './queue.ts'
import { findEvent, insertEvent, latestStaffReply, timelineOf, timelinePageOf, timelineQuery } from './timeline.repository.ts'
import { toCase, toReply } from './cases.resource.ts'
import { withDates } from './json-rows.ts'
import './cases.events.ts'

type StaffActor = Actor & { id: string }
type Deps = Pick<Cradle, 'db' | 'clock' | 'mailer' | 'users' | 'pageLoader'> & {
  events: EventBus; caseAttachments: CaseAttachments; caseTargets: CaseTargets
  deals: { staffDeal(load: PageLoader, key: string, id: RawBuilder<string | null>): Promise<{ id: string; number: number; name: string; stage: string; status: string; estimated_revenue: string; currency: string; partner_id: string | null } | null> }
}
type Found = repo.StaffCase
export type QueueRow = repo.QueueRow

const cursorKeys: Record<QueueSort, (r: QueueRow) => string[]> = {
  activity: (r) => [r.updated_key], newest: (r) => [r.created_key], oldest: (r) => [r.created_key], priority: (r) => [r.rank_key, r.created_key]
}

/** A queue cursor as the browser sends it back (raised first when the rule is on); a tampered one is ignored. */
function queueCursor(raw: unknown, sort: QueueSort, raise: boolean): repo.QueueCursor | undefined {
  const decoded = decodeCursor<{ keys: string; id: string }>(raw, { keys: 'string', id: 'string' })
  if (!decoded || !isId(decoded.id)) return undefined
  const all = decoded.keys.split('|')
  if (raise && !['0', '1'].includes(all[0]!)) return undefined
  const keys = raise ? all.slice(1) : all
  const times = sort === 'priority' ? keys.slice(1) : keys
  if (keys.length !== (sort === 'priority' ? 2 : 1) || times.some((k) => Number.isNaN(new Date(k).getTime()))) return undefined
  if (sort === 'priority' && !/^[1-4]$/.test(keys[0]!)) return undefined
  return { keys: all, id: decoded.id }
}

/** How many cases of each status a queue filter leaves whatever its status, read with the page's other values (a view's filter and the page's alike read once). */
export async function queueCounts(load: PageLoader, filter: QueueFilter): Promise<Record<string, number>> {
  const rest = { ...filter, status: undefined, active: undefined }
  return repo.countsOf(await load(`queue-counts:${JSON.stringify(rest)}`, () => repo.queueCountsQuery(rest)))
}

/** The staff's help desk: the queue, a case with its whole timeline, replies, internal notes, assignment and status. */
export class CaseDesk {
  constructor(private readonly deps: Deps) {}

  /**
   * A page of the queue with its counts per status, in one round trip with whatever else the page
   * reads through `load`: the rule that may raise cases about a deal in its last stage, the rows in
   * the order it stands for, and the counts.
   */
  async queue(filter: QueueFilter, sort: QueueSort, after: unknown, limit: number, load = this.deps.pageLoader()): Promise<Page<QueueRow> & { counts: Record<string, number>; raised: boolean }> {
    const rows = (raise: boolean) => load(`queue:${raise}`, () => repo.queueWhileRule(this.deps.db, filter, sort, queueCursor(after, sort, raise), limit + 1, raise))
    const [raise, raised, plain, counts] = await Promise.all([
      load('raise', repo.raiseRule), rows(true), rows(false), queueCounts(load, filter)
    ])
    return { ...this.pageOf(((raise ? raised : plain) ?? []).map((r) => withDates<QueueRow>(r)), sort, limit, raise), counts }
  }

  /** A page of the queue's rows; cases about a deal in its last stage come first while the staff admins' rule raises them (`raised`). */
  async queueRows(filter: QueueFilter, sort: QueueSort, after: unknown, limit: number): Promise<Page<QueueRow> & { raised: boolean }> {
    const raise = (await readRule(this.deps.db)).raise_last_stage
    const { rows } = await repo.queueQuery(this.deps.db, filter, sort, queueCursor(after, sort, raise), limit + 1, raise).execute(this.deps.db)
    return this.pageOf(rows, sort, limit, raise)
  }

  private pageOf(rows: QueueRow[], sort: QueueSort, limit: number, raise: boolean): Page<QueueRow> & { raised: boolean } {
    const items = rows.slice(0, limit)
    const last = items[items.length - 1]
    const keys = (r: QueueRow) => [...raise ? [r.deal_raised ? '1' : '0'] : [], ...cursorKeys[sort](r)].join('|')
    return { items, next: rows.length > limit && last ? encodeCursor({ keys: keys(last), id: last.id }) : null, raised: raise }
  }

  async get(id: string, db: DbOrTrx = this.deps.db, lock = false): Promise<Found> {
    const found = await repo.findCase(db, id, lock)
    if (!found) throw new NotFound('The case')
    return found
  }

  /** The case as the API shows it, or null if it is gone: what a webhook carries (nothing internal is in it). */
  async resource(id: string, db: DbOrTrx = this.deps.db) {
    const found = await repo.findCase(db, id)
    return found ? toCase(found) : null
  }

  /** A public reply with its case, for the case.replied webhook; null if either is gone, or it is no public reply. */
  async replyResource(caseId: string, eventId: string, db: DbOrTrx = this.deps.db) {
    const [found, reply] = await Promise.all([repo.findCase(db, caseId), findEvent(db, caseId, eventId)])
    return found && reply && reply.kind === 'reply' && !reply.internal ? { case: toCase(found), reply: toReply(reply) } : null
  }

  /** The id of the newest public reply staff wrote on a case, if any. */
  async latestStaffReplyId(caseId: string, db: DbOrTrx = this.deps.db): Promise<string | null> {
    return (await latestStaffReply(db, caseId))?.id ?? null
  }

  /** A case's replies and internal notes, oldest first (the staff's API). */
  async replies(id: string) {
    await this.get(id)
    return (await timelineOf(this.deps.db, id, true)).filter((e) => e.kind === 'reply' || e.kind === 'note')
  }

  /** The staff who can work cases (the active ones: staff access is the case desk's), to assign cases to and filter the queue by. */
  staff(load = this.deps.pageLoader()): Promise<Array<{ id: string; name: string }>> {
    return this.deps.users.activeStaff(load, 500)
  }

  /**
   * The case page: the case, a page of its timeline after `after` (internal notes marked), its deal as
   * it stands now and the staff to assign, in one round trip with whatever else the page reads through `load`.
   */
  async detail(id: string, after?: unknown, load = this.deps.pageLoader()) {
    const [found, events, staff, deal] = await Promise.all([
      load(`case:${id}`, () => repo.caseQuery(this.deps.db, id)), load(`timeline:${id}`, () => timelineQuery(id, true, after)),
      this.staff(load), this.deps.deals.staffDeal(load, id, repo.caseDealId(id))
    ])
    if (!found) throw new NotFound('The case')
    return { case: withDates<Found>(found), timeline: timelinePageOf(events), deal, staff }
  }

  /** A public reply: the first one is the first response; it may leave the case waiting on the partner or resolved. The partner is e-mailed. */
  async reply(actor: StaffActor, id: string, form: { body: string; next_status: '' | 'open' | 'waiting' | 'resolved' }, file: Upload | undefined): Promise<CaseEventRow> {
    const upload = this.deps.caseAttachments.checked(file)
    return this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      const now = new Date(this.deps.clock.now())
      const reply = await this.event(trx, actor, id, { kind: 'reply', body: form.body })
      const to: CaseStatus = form.next_status || (found.status === 'new' || found.status === 'waiting' ? 'open' : found.status)
      await this.deps.events.emit(trx, 'case.replied', id, { caseId: id, partnerId: found.partner_id, by: actor.id, eventId: reply.id, from: 'staff', status: to })
      if (upload) await this.attach(trx, actor, found, upload, false)
      const timing = await this.deps.caseTargets.changed(trx, found, { status: to, priority: found.priority })
      await repo.updateCase(trx, id, { first_response_at: found.first_response_at ?? now, ...(to !== found.status ? { status: to, ...statusTimes(to, now, found) } : {}), ...timing })
      if (to !== found.status) await this.statusEvent(trx, actor, found, to)
      if (found.creator_email && found.creator_status === 'active') {
        const link = this.deps.mailer.link(`/portal/cases/${id}`)
        await this.deps.mailer.send(trx, caseMail.reply(found.creator_email, found, actor.name, form.body, link, to !== found.status && to !== 'open' ? to : undefined))
      }
      return reply
    })
  }

  /** An internal note: the staff's alone, never on any partner's page, e-mail or event. */
  async note(actor: StaffActor, id: string, body: string, file: Upload | undefined): Promise<CaseEventRow> {
    const upload = this.deps.caseAttachments.checked(file)
    return this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      const note = await this.event(trx, actor, id, { kind: 'note', body, internal: true })
      if (upload) await this.attach(trx, actor, found, upload, true)
      return note
    })
  }

  async setStatus(actor: StaffActor, id: string, to: CaseStatus): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      if (found.status === to) return
      const timing = await this.deps.caseTargets.changed(trx, found, { status: to, priority: found.priority })
      await repo.updateCase(trx, id, { status: to, ...statusTimes(to, new Date(this.deps.clock.now()), found), ...timing })
      await this.statusEvent(trx, actor, found, to)
      if (found.creator_email && found.creator_status === 'active') {
        await this.deps.mailer.send(trx, caseMail.status(found.creator_email, found, to, this.deps.mailer.link(`/portal/cases/${id}`)))
      }
    })
  }

  async setPriority(actor: StaffActor, id: string, priority: Priority): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      if (found.priority === priority) return
      await repo.updateCase(trx, id, { priority, ...await this.deps.caseTargets.changed(trx, found, { status: found.status, priority }) })
      await this.event(trx, actor, id, { kind: 'priority', from_value: found.priority, to_value: priority })
    })
  }

  /** Gives the case to a colleague (or to nobody); who works on a case is the staff's own business, so the event is internal. */
  async assign(actor: StaffActor, id: string, assigneeId: string | null): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      const assignee = assigneeId ? await this.deps.users.staffUser(trx, assigneeId) : null
      if (assignee && assignee.status !== 'active') throw new Conflict(`${assignee.name} is no longer active.`)
      if (found.assignee_id === (assignee?.id ?? null)) return
      await repo.updateCase(trx, id, { assignee_id: assignee?.id ?? null, ...(found.status === 'new' && assignee ? { status: 'open' as const } : {}) })
      await this.event(trx, actor, id, { kind: 'assignment', internal: true, from_value: found.assignee_name ?? null, to_value: assignee?.name ?? null })
    })
  }

  /**
   * Merges a duplicate into another case of the same partner: the duplicate's timeline and files
   * move there (its question too, as the first event), and the duplicate is cancelled with a link to it.
   */
  async merge(actor: StaffActor, id: string, into: string): Promise<void> {
    const number = /^(?:case-)?(\d{1,12})$/i.exec(into.trim())?.[1]
    if (!number) throw new Invalid({ into: 'Enter the number of the case to merge into, like CASE-1042.' })
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.get(id, trx, true)
      const target = await repo.findByNumber(trx, Number(number))
      if (found.merged_into) throw new Conflict('This case was merged already.')
      if (!target) throw new Invalid({ into: `No case is numbered CASE-${number}.` })
      if (target.id === found.id) throw new Invalid({ into: 'A case cannot be merged into itself.' })
      if (target.partner_id !== found.partner_id) throw new Invalid({ into: 'Only a case of the same partner can take this one in.' })
      if (target.merged_into) throw new Invalid({ into: `${caseNumber(target)} was itself merged into another case.` })
      await repo.moveTimeline(trx, found.id, target.id)
      await this.event(trx, actor, target.id, { kind: 'merged', from_value: found.id, body: `${caseNumber(found)} “${found.subject}” was merged into this case. It asked:\n\n${found.body}` })
      await this.event(trx, actor, found.id, { kind: 'merged', to_value: target.id, body: `Merged into ${caseNumber(target)} “${target.subject}”.` })
      const timing = await this.deps.caseTargets.changed(trx, found, { status: 'cancelled', priority: found.priority })
      await repo.updateCase(trx, found.id, { status: 'cancelled', merged_into: target.id, ...statusTimes('cancelled', new Date(this.deps.clock.now()), found), ...timing })
      await this.deps.events.emit(trx, 'case.status-changed', found.id, { caseId: found.id, partnerId: found.partner_id, by: actor.id, from: found.status, to: 'cancelled' })
    })
  }

  /**
   * The figures page: open cases by status and priority, and times, misses and ratings overall, per
   * partner and per assignee (the busiest `limit` of each; the export takes them all).
   */
  async figures(days: number, limit = 20) {
    const since = new Date(this.deps.clock.now() - days * 86_400_000)
    const [open, overall, partners, assignees] = await Promise.all([
      figures.openByStatusAndPriority(this.deps.db), figures.outcomes(this.deps.db, since, 'all'),
      figures.outcomes(this.deps.db, since, 'partner', limit), figures.outcomes(this.deps.db, since, 'assignee', limit)
    ])
    return { open: open.map((r) => ({ ...r, n: Number(r.n) })), overall: overall[0]!, partners, assignees }
  }

  /** How many partners found their answer in each suggestion instead of opening a case. */
  deflections(limit: number) {
    return deflectionsByAnswer(this.deps.db, limit)
  }

  private async statusEvent(trx: DbOrTrx, actor: StaffActor, found: Found, to: CaseStatus): Promise<void> {
    await this.event(trx, actor, found.id, { kind: 'status', from_value: found.status, to_value: to })
    await this.deps.events.emit(trx, 'case.status-changed', found.id, { caseId: found.id, partnerId: found.partner_id, by: actor.id, from: found.status, to })
  }

  private async attach(trx: DbOrTrx, actor: StaffActor, c: Found, upload: Upload, internal: boolean): Promise<void> {
    const attachment = await this.deps.caseAttachments.add(trx, c, upload, actor.id, internal)
    await this.event(trx, actor, c.id, { kind: 'attachment', attachment_id: attachment.id, internal })
  }

  private event(trx: DbOrTrx, actor: StaffActor, caseId: string, e: { kind: CaseEventKind; body?: string; internal?: boolean; from_value?: string | null; to_value?: string | null; attachment_id?: string }) {
    return insertEvent(trx, {
      case_id: caseId, kind: e.kind, internal: e.internal ?? false, body: e.body ?? '', from_value: e.from_value ?? null, to_value: e.to_value ?? null,
      attachment_id: e.attachment_id ?? null, actor_id: actor.id, actor_name: actor.name, actor_kind: 'staff'
    })
  }
}
