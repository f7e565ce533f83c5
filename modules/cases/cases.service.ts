import type { Static } from 'typebox'
import type { Cradle } from '../../core/container.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { permissionsOf, requireArea, scopeOf, type PartnerViewer, type Viewer } from '../../core/identity/access.ts'
import { reachOf } from '../../core/identity/reach.ts'
import { Conflict, NotFound } from '../../core/lib/errors.ts'
import { timePage } from '../../core/lib/pagination.ts'
import { isId } from '../../core/lib/validation.ts'
import type { Upload } from '../../core/lib/uploads.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { CaseAttachments } from './attachments.service.ts'
import type { CaseTargets } from './targets.service.ts'
import type { CaseAssignment } from './assignment.service.ts'
import { caseMail } from './case-mail.ts'
import { isActive, raisesCase, rateable, reopenable, statusTimes } from './case-rules.ts'
import * as repo from './cases.repository.ts'
import type { CaseForm, RatingForm } from './cases.schemas.ts'
import type { CaseEventRow, CaseRow, CaseStatus } from './cases.table.ts'
import { insertEvent, timelineOf, timelinePageOf, timelineQuery } from './timeline.repository.ts'
import { withDates } from './json-rows.ts'
import './cases.events.ts'

/** What cases need of the customers and opportunities modules' public services: a record by id within the viewer's reach. */
export interface CaseLinks {
  account(viewer: PartnerViewer, id: string): Promise<{ id: string; name: string }>
  opportunity(viewer: PartnerViewer, id: string): Promise<{ id: string; name: string; partner_id: string | null; stage: string; status: string }>
}

type Deps = Pick<Cradle, 'db' | 'clock' | 'mailer' | 'pageLoader'> & { events: EventBus; links: CaseLinks; caseAttachments: CaseAttachments; caseTargets: CaseTargets; caseAssignment: CaseAssignment }

export interface PartnerListQuery { status?: CaseStatus; active?: boolean; mine?: boolean; after?: { key: string; id: string } }

/**
 * Cases as a partner's people open and follow them, within their reach in the `cases` area: the
 * company's, or under "own records" those they opened. Another's case is absent (404), and
 * nothing internal is ever read here: the timeline is always read without internal events.
 */
export class CasesService {
  constructor(private readonly deps: Deps) {}

  /** Whether the viewer sees the whole company's cases, and so may narrow them to their own. */
  seesCompany(viewer: PartnerViewer): boolean {
    return reachOf(viewer, 'cases').ownerId === null
  }

  /** A page of the viewer's cases, whole (the API's). */
  async list(viewer: PartnerViewer, query: PartnerListQuery, limit: number) {
    return timePage(await repo.listForPartner(this.deps.db, reachOf(viewer, 'cases'), this.listFilter(viewer, query), limit + 1), limit, (c) => c.updated_key)
  }

  /** A page of the viewer's cases as the list page shows them. */
  async listPage(viewer: PartnerViewer, query: PartnerListQuery, limit: number) {
    return timePage(await repo.listPageForPartner(this.deps.db, reachOf(viewer, 'cases'), this.listFilter(viewer, query), limit + 1), limit, (c) => c.updated_key)
  }

  private listFilter(viewer: PartnerViewer, query: PartnerListQuery): repo.PartnerListFilter {
    return { status: query.status, active: query.active, createdBy: query.mine ? viewer.id : undefined, after: query.after }
  }

  mayOpen(viewer: Viewer): boolean {
    return viewer.kind === 'partner' && scopeOf(viewer, 'cases') !== 'none' && permissionsOf(viewer).cases.create
  }

  /** A deal's latest cases: every partner's for staff, the viewer's reach for a partner. */
  forDeal(viewer: Viewer, opportunityId: string, limit: number) {
    return repo.listForOpportunity(this.deps.db, opportunityId, viewer.kind === 'staff' ? null : reachOf(viewer as PartnerViewer, 'cases'), limit)
  }

  async forPartner(viewer: PartnerViewer, id: string, db: DbOrTrx = this.deps.db, lock = false): Promise<CaseRow & { creator_name: string | null }> {
    const found = await repo.findForPartner(db, reachOf(viewer, 'cases'), id, lock)
    if (!found) throw new NotFound('The case')
    return found
  }

  /** The case page: the case and a page of its public timeline after `after`, with what the viewer may do now. */
  async detail(viewer: PartnerViewer, id: string, after?: unknown) {
    const load = this.deps.pageLoader()
    const reach = reachOf(viewer, 'cases')
    const [row, events] = await Promise.all([
      load('case', () => repo.partnerCaseQuery(this.deps.db, reach, id)), load('timeline', () => timelineQuery(id, false, after, reach))
    ])
    if (!row) throw new NotFound('The case')
    const found = withDates<CaseRow & { creator_name: string | null }>(row)
    const timeline = timelinePageOf(events)
    const { edit, create } = permissionsOf(viewer).cases
    const now = this.deps.clock.now()
    return {
      case: found, timeline,
      can: {
        reply: edit && isActive(found.status), resolve: edit && isActive(found.status), close: edit && found.status === 'resolved',
        reopen: edit && reopenable(found, now), followUp: create && rateable(found.status) && !reopenable(found, now),
        rate: edit && rateable(found.status)
      }
    }
  }

  /**
   * The account, deal and earlier case a new case names, each within the viewer's reach: another
   * partner's (or a colleague's under "own records") answers 404. Only deals the company holds count.
   */
  async links(viewer: PartnerViewer, form: Record<string, unknown>) {
    const id = (v: unknown) => (isId(v) ? v : null)
    const accountId = id(form.account_id)
    const opportunityId = id(form.opportunity_id)
    const followUpId = id(form.follow_up_of)
    const account = accountId ? await this.deps.links.account(viewer, accountId) : null
    const deal = opportunityId ? await this.deps.links.opportunity(viewer, opportunityId) : null
    if (deal && deal.partner_id !== viewer.partnerId) throw new NotFound('The opportunity')
    const earlier = followUpId ? await this.forPartner(viewer, followUpId) : null
    return { account, deal, earlier }
  }

  async open(viewer: PartnerViewer, form: Static<typeof CaseForm>, file: Upload | undefined, submission?: Submission): Promise<CaseRow> {
    requireArea(viewer, 'cases', 'create')
    // Looked up before the transaction: the other modules' services read through their own connection.
    const { account, deal, earlier } = await this.links(viewer, form)
    const upload = this.deps.caseAttachments.checked(file)
    return this.deps.db.transaction().execute(async (trx) => {
      const now = new Date(this.deps.clock.now())
      const due = await this.deps.caseTargets.opened(trx, { partner_id: viewer.partnerId, priority: form.priority, created_at: now })
      const created = await repo.insertCase(trx, {
        created_at: now, ...due,
        partner_id: viewer.partnerId, subject: form.subject, body: form.body, type: form.type, priority: form.priority,
        account_id: account?.id ?? null, account_name: account?.name ?? null, opportunity_id: deal?.id ?? null, opportunity_name: deal?.name ?? null,
        deal_stage: deal?.stage ?? null, deal_raised: deal ? raisesCase(deal) : false, follow_up_of: earlier?.id ?? null, created_by: viewer.id, assignee_id: null, first_response_at: null, resolved_at: null, closed_at: null,
        rating: null, rating_comment: null
      })
      await this.event(trx, viewer, created.id, { kind: 'opened' })
      await this.assignByRule(trx, created)
      if (upload) await this.attach(trx, viewer, created, upload)
      await this.deps.events.emit(trx, 'case.created', created.id, { caseId: created.id, partnerId: viewer.partnerId, by: viewer.id, opportunityId: deal?.id ?? null })
      await submission?.record(trx, created.id)
      return created
    })
  }

  /**
   * Keeps the cases about a deal in step with it, inside the deal's own transaction: its stage as it
   * moves (the queue filters by it), raised while it is open in its last stage, no longer once it is
   * won, lost or given back.
   */
  async dealChanged(trx: DbOrTrx, opportunityId: string, deal: { stage: string; status: string } | { closed: true }): Promise<void> {
    await repo.followDeal(trx, opportunityId, 'closed' in deal ? { deal_raised: false } : { deal_stage: deal.stage, deal_raised: raisesCase(deal) })
  }

  /** The public replies of a case, oldest first: the partner's and the staff's, never an internal note. */
  async replies(viewer: PartnerViewer, id: string) {
    const found = await this.forPartner(viewer, id)
    return (await timelineOf(this.deps.db, found.id, false)).filter((e) => e.kind === 'reply')
  }

  /** A reply from the partner: it counts as the customer's, so a case waiting on them is open again. Answers the reply. */
  async reply(viewer: PartnerViewer, id: string, body: string, file: Upload | undefined): Promise<CaseEventRow> {
    requireArea(viewer, 'cases', 'edit')
    const upload = this.deps.caseAttachments.checked(file)
    return this.deps.db.transaction().execute(async (trx) => {
      const found = await this.forPartner(viewer, id, trx, true)
      if (!isActive(found.status)) throw new Conflict('This case is no longer open. Reopen it, or open a follow-up case.')
      const reply = await this.event(trx, viewer, id, { kind: 'reply', body })
      await this.deps.events.emit(trx, 'case.replied', id, { caseId: id, partnerId: found.partner_id, by: viewer.id, eventId: reply.id, from: 'partner', status: found.status === 'waiting' ? 'open' : found.status })
      if (upload) await this.attach(trx, viewer, found, upload)
      if (found.status === 'waiting') await this.changeStatus(trx, viewer, found, 'open')
      else await repo.updateCase(trx, id, {})
      return reply
    })
  }

  /** The partner's answer is found: resolved (which starts the reopen window). */
  resolve(viewer: PartnerViewer, id: string): Promise<void> {
    return this.move(viewer, id, 'resolved', (c) => isActive(c.status), 'Only an open case can be marked as resolved.')
  }

  close(viewer: PartnerViewer, id: string): Promise<void> {
    return this.move(viewer, id, 'closed', (c) => c.status === 'resolved', 'Only a resolved case can be closed.')
  }

  reopen(viewer: PartnerViewer, id: string): Promise<void> {
    return this.move(viewer, id, 'open', (c) => reopenable(c, this.deps.clock.now()),
      'This case was resolved more than 14 days ago. Open a follow-up case instead.')
  }

  async rate(viewer: PartnerViewer, id: string, form: Static<typeof RatingForm>): Promise<void> {
    requireArea(viewer, 'cases', 'edit')
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.forPartner(viewer, id, trx, true)
      if (!rateable(found.status)) throw new Conflict('A case can be rated once it is resolved.')
      await repo.updateCase(trx, id, { rating: form.rating, rating_comment: form.rating_comment || null })
      await this.event(trx, viewer, id, { kind: 'rating', to_value: String(form.rating), body: form.rating_comment })
    })
  }

  private async move(viewer: PartnerViewer, id: string, to: CaseStatus, allowed: (c: CaseRow) => boolean, refusal: string): Promise<void> {
    requireArea(viewer, 'cases', 'edit')
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.forPartner(viewer, id, trx, true)
      if (!allowed(found)) throw new Conflict(refusal)
      await this.changeStatus(trx, viewer, found, to)
    })
  }

  private async changeStatus(trx: DbOrTrx, viewer: PartnerViewer, found: CaseRow, to: CaseStatus): Promise<void> {
    const timing = await this.deps.caseTargets.changed(trx, found, { status: to, priority: found.priority })
    await repo.updateCase(trx, found.id, { status: to, ...statusTimes(to, new Date(this.deps.clock.now()), found), ...timing })
    await this.event(trx, viewer, found.id, { kind: 'status', from_value: found.status, to_value: to })
    await this.deps.events.emit(trx, 'case.status-changed', found.id, { caseId: found.id, partnerId: found.partner_id, by: viewer.id, from: found.status, to })
  }

  /** Gives a new case to the team member the staff admins' rule picks, noted on the staff's timeline, and tells them. */
  private async assignByRule(trx: DbOrTrx, c: CaseRow): Promise<void> {
    const assignee = await this.deps.caseAssignment.pick(trx)
    if (!assignee) return
    await repo.updateCase(trx, c.id, { assignee_id: assignee.id })
    await insertEvent(trx, {
      case_id: c.id, kind: 'assignment', internal: true, body: 'By the assignment rule.', from_value: null, to_value: assignee.name, attachment_id: null,
      actor_id: null, actor_name: 'Automatic assignment', actor_kind: 'system'
    })
    await this.deps.mailer.send(trx, caseMail.assigned(assignee.email, c, this.deps.mailer.link(`/admin/cases/${c.id}`)))
  }

  private async attach(trx: DbOrTrx, viewer: PartnerViewer, c: CaseRow, upload: Upload): Promise<void> {
    const attachment = await this.deps.caseAttachments.add(trx, c, upload, viewer.id, false)
    await this.event(trx, viewer, c.id, { kind: 'attachment', attachment_id: attachment.id })
  }

  private event(trx: DbOrTrx, viewer: PartnerViewer, caseId: string, e: { kind: 'opened' | 'reply' | 'status' | 'rating' | 'attachment'; body?: string; from_value?: string; to_value?: string; attachment_id?: string }) {
    return insertEvent(trx, {
      case_id: caseId, kind: e.kind, body: e.body ?? '', from_value: e.from_value ?? null, to_value: e.to_value ?? null, attachment_id: e.attachment_id ?? null,
      actor_id: viewer.id, actor_name: viewer.name, actor_kind: 'partner'
    })
  }
}
