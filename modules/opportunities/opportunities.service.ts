import type { RawBuilder } from 'kysely'
import type { Static } from 'typebox'
import { permissionsOf, requireArea, type PartnerViewer } from '../../core/identity/access.ts'
import type { Actor } from '../../core/data/audit/audit.service.ts'
import type { Cradle } from '../../core/container.ts'
import type { ContactLookup, CustomerLookup } from './customer-lookup.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { domainOf } from '../../core/lib/domains.ts'
import { Conflict, Forbidden, Invalid, NotFound, PreconditionFailed } from '../../core/lib/errors.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import { reachOf } from '../../core/identity/reach.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { UserRow } from '../../core/identity/users/users.table.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import type { DistributionService } from './distribution.service.ts'
import * as repo from './opportunities.repository.ts'
import { toOffer, toOpportunity } from './opportunities.resource.ts'
import { addCollaborator, removeCollaborator } from './timeline.repository.ts'
import { recordHistory } from './opportunity-history.ts'
import { checkDeal, type EditForm, type RegistrationForm, type StaffOpportunityForm } from './opportunities.schemas.ts'
import type { OpportunityRow, Stage } from './opportunities.table.ts'
import './opportunities.events.ts'

type Deps = Pick<Cradle, 'db' | 'mailer' | 'partnerUsers' | 'channelAreas'> & {
  events: EventBus
  partners: Pick<Cradle['partners'], 'program' | 'partnerNames'>; customers: CustomerLookup; customerContacts: ContactLookup; distribution: DistributionService
}

/** Opportunities as partners work them (registration, stages, notes, closing) and staff create and decide them. */
export class OpportunitiesService {
  constructor(private readonly deps: Deps) {}

  /** The opportunity as this partner user may see it, or NotFound. */
  async forPartner(viewer: PartnerViewer, id: string, db: DbOrTrx = this.deps.db) {
    const reach = reachOf(viewer, 'opportunities')
    const found = await repo.findForPartner(db, reach.partnerId, id, reach.ownerId)
    if (!found) throw new NotFound('The opportunity')
    return found
  }

  /** Why a customer account cannot be removed while deals on it are still in play, or null. */
  async removalReason(trx: DbOrTrx, accountId: string): Promise<string | null> {
    const open = await repo.openCountForAccount(trx, accountId)
    return open ? `${open} open opportunit${open === 1 ? 'y' : 'ies'}` : null
  }

  /** Expected close must be a real date, and expertise must come from the program's list. */
  private async checkAgainstProgram(form: { expected_close: string; expertise: string[] }): Promise<void> {
    checkDeal(form, (await this.deps.partners.program()).expertise_options)
  }

  /** What a partner may change: a deal its company holds (not one it only collaborates on), still open. */
  private async workable(trx: DbOrTrx, viewer: PartnerViewer, id: string, action: 'edit' | 'delete' = 'edit'): Promise<OpportunityRow & { version: string }> {
    const found = await this.forPartner(viewer, id, trx)
    requireArea(viewer, 'opportunities', action)
    if (found.partner_id !== viewer.partnerId) throw new Forbidden('Collaborators can read and add notes, but not change this opportunity.')
    const locked = await repo.lockOpportunity(trx, id)
    if (!locked || !['open', 'pending_approval'].includes(locked.status)) throw new Conflict('This opportunity is closed.')
    return locked
  }

  /** Deal registration: open at once, or pending approval when another live deal targets the same customer. */
  async register(viewer: PartnerViewer, form: Static<typeof RegistrationForm>, submission?: Submission): Promise<OpportunityRow> {
    await this.checkAgainstProgram(form)
    requireArea(viewer, 'opportunities', 'create')
    // Looked up before the transaction: the customers service reads through its own connection.
    const account = await this.deps.customers.account(viewer, form.account_id)
    const contact = form.contact_id ? await this.deps.customerContacts.contact(viewer, form.contact_id) : null
    if (contact && contact.account_id !== account.id) throw new NotFound('The contact')
    return this.deps.db.transaction().execute(async (trx) => {
      const domain = account.domain ?? null
      const conflicts = await repo.conflictsFor(trx, { accountId: account.id, domain, partnerId: viewer.partnerId })
      const created = await repo.insertOpportunity(trx, {
        name: form.name, description: form.description, source: 'registration', status: conflicts.length ? 'pending_approval' : 'open',
        partner_id: viewer.partnerId, owner_id: viewer.id, account_id: account.id, contact_id: contact?.id ?? null,
        customer_name: account.name, customer_domain: domain, territory: account.country ?? 'US', expertise: form.expertise,
        estimated_revenue: form.estimated_revenue, currency: form.currency, expected_close: form.expected_close, created_by: viewer.id
      })
      await recordHistory(trx, viewer, {
        kind: 'registered', partnerId: viewer.partnerId, after: created,
        body: conflicts.length ? 'Registered; waiting for approval because another deal targets the same customer.' : 'Registered.'
      })
      if (conflicts.length) {
        await recordHistory(trx, viewer, { kind: 'conflict', staffOnly: true, after: created, body: `Conflicts with ${conflicts.map((c) => `#${c.number} (${c.partner_name ?? 'staff queue'})`).join(', ')}.` })
      }
      await this.deps.events.emit(trx, 'opportunity.registered', created.id, {
        opportunityId: created.id, partnerId: viewer.partnerId, by: viewer.id, accountId: account.id, status: conflicts.length ? 'pending_approval' : 'open'
      })
      await submission?.record(trx, created.id)
      return created
    })
  }

  /** With `ifVersion` (the API's If-Match), only that version of the deal is changed: PreconditionFailed if it changed since. */
  async edit(viewer: PartnerViewer, id: string, form: Static<typeof EditForm>, ifVersion?: string): Promise<void> {
    await this.checkAgainstProgram(form)
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await this.workable(trx, viewer, id)
      if (ifVersion !== undefined && before.version !== ifVersion) throw new PreconditionFailed()
      const after = await repo.updateOpportunity(trx, id, {
        name: form.name, estimated_revenue: form.estimated_revenue, currency: form.currency, expected_close: form.expected_close,
        expertise: form.expertise, description: form.description
      })
      await recordHistory(trx, viewer, { kind: 'edited', partnerId: viewer.partnerId, before, after })
    })
  }

  async moveStage(viewer: PartnerViewer, id: string, stage: Stage): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await this.workable(trx, viewer, id)
      if (before.status !== 'open') throw new Conflict('A deal waiting for approval cannot move through the stages yet.')
      if (before.stage === stage) return
      const after = await repo.updateOpportunity(trx, id, { stage })
      await recordHistory(trx, viewer, { kind: 'stage', body: `Moved from ${before.stage} to ${stage}.`, partnerId: viewer.partnerId, before, after })
      await this.deps.events.emit(trx, 'opportunity.stage-changed', id, { opportunityId: id, partnerId: viewer.partnerId, by: viewer.id, from: before.stage, to: stage })
    })
  }

  /** A note on the deal's timeline; a submission records the deal it was added to. */
  async addNote(viewer: PartnerViewer, id: string, body: string, submission?: Submission): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await this.forPartner(viewer, id, trx)
      const after = await repo.updateOpportunity(trx, id, {})
      await recordHistory(trx, viewer, { kind: 'note', body, partnerId: viewer.partnerId, before: found, after })
      await submission?.record(trx, id)
    })
  }

  async win(viewer: PartnerViewer, id: string, actualRevenue: string): Promise<void> {
    await this.close(viewer, id, { status: 'won', actual_revenue: actualRevenue }, (o) => `Won at ${o.currency} ${Number(actualRevenue).toLocaleString('en-US')}.`,
      (trx, deal, o) => this.deps.events.emit(trx, 'opportunity.won', id, { ...deal, actualRevenue, currency: o.currency }))
  }

  async lose(viewer: PartnerViewer, id: string, reason: string): Promise<void> {
    await this.close(viewer, id, { status: 'lost', lost_reason: reason }, () => `Lost: ${reason}`,
      (trx, deal) => this.deps.events.emit(trx, 'opportunity.lost', id, { ...deal, reason }))
  }

  private async close(viewer: PartnerViewer, id: string, changes: { status: 'won' | 'lost'; actual_revenue?: string; lost_reason?: string }, body: (o: OpportunityRow) => string,
    announce: (trx: DbOrTrx, deal: { opportunityId: string; partnerId: string; by: string }, o: OpportunityRow) => Promise<void>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await this.workable(trx, viewer, id)
      if (before.status !== 'open') throw new Conflict('A deal waiting for approval cannot be closed yet.')
      const after = await repo.updateOpportunity(trx, id, { ...changes, closed_at: new Date() })
      await recordHistory(trx, viewer, { kind: changes.status, body: body(before), partnerId: viewer.partnerId, before, after })
      await announce(trx, { opportunityId: id, partnerId: viewer.partnerId, by: viewer.id }, before)
    })
  }

  /** The colleagues a deal can be given to: active, and allowed to work on opportunities. */
  async assignees(viewer: PartnerViewer) {
    return this.assigneesAmong(await this.deps.partnerUsers.list(viewer.partnerId))
  }

  /** Those of a company's people who may take deals: active, and with some access to them. */
  assigneesAmong(people: Array<Pick<UserRow, 'id' | 'name' | 'email' | 'role' | 'permissions' | 'status'>>) {
    return people.filter((p) => p.status === 'active' &&
      this.deps.channelAreas.effective(p).opportunities.scope !== 'none')
      .map((p) => ({ id: p.id, name: p.name, email: p.email }))
  }

  /** Whether this viewer may give deals to colleagues: someone who sees and may edit the whole company's deals. */
  mayAssign(viewer: PartnerViewer): boolean {
    const permission = permissionsOf(viewer).opportunities
    return permission.scope === 'company' && permission.edit
  }

  /** Gives the deal to a colleague, who is e-mailed unless they gave it to themselves. */
  async assign(viewer: PartnerViewer, id: string, ownerId: string): Promise<void> {
    if (!this.mayAssign(viewer)) throw new Forbidden('Only people who see and may edit the whole company’s deals can assign them.')
    const owner = (await this.assignees(viewer)).find((p) => p.id === ownerId)
    if (!owner) throw new Invalid({ owner_id: 'Choose someone from your team who works on deals.' })
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await this.workable(trx, viewer, id)
      if (before.owner_id === owner.id) return
      const after = await repo.updateOpportunity(trx, id, { owner_id: owner.id })
      await recordHistory(trx, viewer, { kind: 'assigned', body: `Assigned to ${owner.name}.`, partnerId: viewer.partnerId, before, after })
      if (owner.id === viewer.id) return
      await this.deps.mailer.send(trx, {
        to: owner.email, subject: `Deal assigned to you: ${before.name}`,
        body: `Hello ${owner.name},\n\n${viewer.name} assigned the deal ${before.name} (${before.customer_name}) to you.\n\n${this.deps.mailer.link(`/portal/opportunities/${id}`)}\n`
      })
    })
  }

  async giveBack(viewer: PartnerViewer, id: string, reason: string): Promise<void> {
    const found = await this.forPartner(viewer, id)
    requireArea(viewer, 'opportunities', 'edit')
    if (found.partner_id !== viewer.partnerId) throw new Forbidden('Collaborators cannot return this opportunity.')
    await this.deps.distribution.giveBack(viewer, found, reason)
  }

  /** The deal as the API shows it to `partnerId` (null: to staff), or null if it is gone: what a webhook carries. */
  async resource(id: string, partnerId: string | null, db: DbOrTrx = this.deps.db) {
    const found = await repo.findOpportunity(db, id)
    return found ? toOpportunity(found, partnerId) : null
  }

  /** An offer of the deal as the API shows it, or null if the deal is gone. */
  async offerResource(offer: { id: string; offeredAt: Date; deadline: Date }, opportunityId: string, db: DbOrTrx = this.deps.db) {
    const found = await repo.findOpportunity(db, opportunityId)
    return found ? toOffer(offer, found) : null
  }

  // Staff

  /** What another module's staff page shows of a deal, read with the page's other values; `id` may be a subquery (null: no deal). */
  staffDeal(load: PageLoader, key: string, id: RawBuilder<string | null>): Promise<repo.StaffDeal | null> {
    return load(`staff-deal:${key}`, () => repo.staffDealQuery(id))
  }

  async staffGet(id: string) {
    const found = await repo.findOpportunity(this.deps.db, id)
    if (!found) throw new NotFound('The opportunity')
    return found
  }

  async create(actor: Actor & { id: string }, form: Static<typeof StaffOpportunityForm>, submission?: Submission): Promise<OpportunityRow> {
    await this.checkAgainstProgram(form)
    return this.deps.db.transaction().execute(async (trx) => {
      const created = await repo.insertOpportunity(trx, {
        name: form.name, description: form.description, source: 'staff', status: 'queued', customer_name: form.customer_name,
        customer_domain: form.customer_website ? domainOf(form.customer_website) : null, territory: form.territory,
        expertise: form.expertise, estimated_revenue: form.estimated_revenue, currency: form.currency,
        expected_close: form.expected_close, distribution: form.distribution, created_by: actor.id
      })
      await recordHistory(trx, actor, { kind: 'created', body: 'Created by staff.', after: created })
      await this.deps.events.emit(trx, 'opportunity.created', created.id, { opportunityId: created.id, partnerId: null, by: actor.id, distribution: form.distribution })
      if (form.distribution === 'auto') await this.deps.distribution.offerToBest(trx, actor, created)
      await submission?.record(trx, created.id)
      return created
    })
  }

  async decideRegistration(actor: Actor & { id: string }, id: string, approve: boolean, reason?: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockOpportunity(trx, id)
      if (!before) throw new NotFound('The opportunity')
      if (before.status !== 'pending_approval') throw new Conflict('This registration was already decided.')
      const after = await repo.updateOpportunity(trx, id, approve ? { status: 'open' } : { status: 'declined', lost_reason: reason ?? null, closed_at: new Date() })
      await recordHistory(trx, actor, { kind: approve ? 'approved' : 'declined', body: approve ? 'Registration approved.' : `Registration declined: ${reason}`, partnerId: before.partner_id, before, after })
      const deal = { opportunityId: id, partnerId: before.partner_id, by: actor.id }
      await (approve ? this.deps.events.emit(trx, 'opportunity.approved', id, deal) : this.deps.events.emit(trx, 'opportunity.declined', id, { ...deal, reason: reason ?? '' }))
      const owner = before.owner_id && before.partner_id ? await this.deps.partnerUsers.member(before.partner_id, before.owner_id, trx).catch(() => null) : null
      if (owner) {
        await this.deps.mailer.send(trx, {
          to: owner.email, subject: `Deal registration ${approve ? 'approved' : 'declined'}: ${before.name}`,
          body: `Hello ${owner.name},\n\nYour registration of ${before.name} was ${approve ? 'approved; it is open in your pipeline' : `declined. Reason: ${reason}`}.\n\n${this.deps.mailer.link(`/portal/opportunities/${id}`)}\n`
        })
      }
    })
  }

  /**
   * Shares the deal with a collaborating partner, chosen among the active partners (add), or stops
   * sharing it; returns the collaborator's name when one is added.
   */
  async setCollaborator(actor: Actor & { id: string }, id: string, partnerId: string, add: boolean): Promise<string | null> {
    const collaborator = add ? (await this.deps.partners.partnerNames({ ids: [partnerId], status: 'active' }))[0] : undefined
    if (add && !collaborator) throw new Invalid({ partner_id: 'Choose an active partner.' })
    await this.deps.db.transaction().execute(async (trx) => {
      const opportunity = await repo.lockOpportunity(trx, id)
      if (!opportunity) throw new NotFound('The opportunity')
      if (add && opportunity.partner_id === partnerId) throw new Conflict('That partner already holds this opportunity.')
      if (add) await addCollaborator(trx, id, partnerId, actor.id)
      else await removeCollaborator(trx, id, partnerId)
      await recordHistory(trx, actor, { kind: add ? 'collaborator-added' : 'collaborator-removed', partnerId, after: opportunity, body: add ? 'Shared with a collaborating partner.' : 'No longer shared.' })
    })
    return collaborator?.name ?? null
  }

  /** A staff note on the timeline; a submission records the opportunity it was added to. */
  async staffNote(actor: Actor & { id: string }, id: string, body: string, internal: boolean, submission?: Submission): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const opportunity = await repo.lockOpportunity(trx, id)
      if (!opportunity) throw new NotFound('The opportunity')
      await recordHistory(trx, actor, { kind: 'note', body, staffOnly: internal, partnerId: null, after: opportunity })
      await submission?.record(trx, id)
    })
  }
}
