import type { PartnerViewer } from '../../core/identity/access.ts'
import { permissionsOf } from '../../core/identity/access.ts'
import { audit, systemActor, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Cradle } from '../../core/container.ts'
import type { CustomerLookup } from './customer-lookup.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { Conflict, Forbidden, Invalid, NotFound } from '../../core/lib/errors.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import { timePage } from '../../core/lib/pagination.ts'
import { acceptedOfferFor, findOfferForPartner, insertOffer, lockOffer, partnersOffered, pendingOffersForPartner, setOfferStatus } from './offers.repository.ts'
import { findOpportunity, lockOpportunity, updateOpportunity } from './opportunities.repository.ts'
import { getRules, partnerFacts, updateRules } from './rules.repository.ts'
import { recordHistory } from './opportunity-history.ts'
import type { OfferRow, OpportunityRow, RulesRow, Weights } from './opportunities.table.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import { rankPartners, type EligibilityRules, type Ranked } from './scoring.ts'

type Deps = Pick<Cradle, 'db' | 'mailer' | 'jobs' | 'partnerUsers' | 'channelAreas'> & { events: EventBus; customers: CustomerLookup }

const hour = 3_600_000

export const rulesOf = (r: RulesRow): EligibilityRules => ({
  requireTerritory: r.require_territory, requireExpertise: r.require_expertise, respectCapacity: r.respect_capacity,
  minLevelRank: r.min_level_rank, largeDealRevenue: Number(r.large_deal_revenue), largeDealMinRank: r.large_deal_min_rank,
  offerHours: r.offer_hours, weights: r.weights
})

/**
 * Distribution: ranking partners for a deal, offering it, the partner's answer, and moving on to
 * the next best partner when an offer is refused, expires or a deal is returned. Expiry and
 * reminders are jobs claimed with row locks, so several instances can run side by side.
 */
export class DistributionService {
  constructor(private readonly deps: Deps) {
    deps.jobs.register('opportunity.offer-expire', (payload, trx) => this.expire(trx, String(payload.offerId)))
    deps.jobs.register('opportunity.offer-remind', (payload, trx) => this.remind(trx, String(payload.offerId)))
  }

  rules(db: DbOrTrx = this.deps.db) {
    return getRules(db)
  }

  /** Every active partner ranked for the deal, with the partners already offered it marked. */
  async ranking(db: DbOrTrx, opportunity: OpportunityRow): Promise<Array<Ranked & { offeredBefore: boolean }>> {
    const rules = await getRules(db)
    const facts = await partnerFacts(db, rules.stall_days, rules.require_territory ? opportunity.territory : undefined)
    const offered = new Set(await partnersOffered(db, opportunity.id))
    const ranked = rankPartners({ territory: opportunity.territory, expertise: opportunity.expertise, estimatedRevenue: Number(opportunity.estimated_revenue) }, facts, rulesOf(rules))
    return ranked.map((r) => ({ ...r, offeredBefore: offered.has(r.partner.id) }))
  }

  /** Staff offer a queued deal to a partner they chose, with a deadline; a submission records the offer made. */
  async offer(actor: Actor & { id: string }, opportunityId: string, partnerId: string, hours: number, submission?: Submission): Promise<OfferRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const opportunity = await this.queued(trx, opportunityId)
      const ranked = (await this.ranking(trx, opportunity)).find((r) => r.partner.id === partnerId)
      if (!ranked) throw new Invalid({ partner_id: 'Choose an active partner.' }, 'Choose an active partner: that one is not active, or not a partner.')
      const offer = await this.makeOffer(trx, actor, opportunity, ranked, hours)
      await submission?.record(trx, offer.id)
      return offer
    })
  }

  /** Offers a queued deal to the best eligible partner not offered it before; false when there is none. */
  async offerToBest(trx: DbOrTrx, actor: Actor, opportunity: OpportunityRow): Promise<boolean> {
    const rules = await getRules(trx)
    const best = (await this.ranking(trx, opportunity)).find((r) => r.eligible && !r.offeredBefore)
    if (!best) {
      await recordHistory(trx, systemActor, { kind: 'no-eligible-partner', body: 'No eligible partner is left; the deal waits in the staff queue.', staffOnly: true, after: opportunity })
      return false
    }
    await this.makeOffer(trx, actor, opportunity, best, rules.offer_hours)
    return true
  }

  private async makeOffer(trx: DbOrTrx, actor: Actor, opportunity: OpportunityRow, ranked: Ranked, hours: number): Promise<OfferRow> {
    const deadline = new Date(Date.now() + hours * hour)
    const offer = await insertOffer(trx, {
      opportunity_id: opportunity.id, partner_id: ranked.partner.id, deadline, score: ranked.score,
      reasons: JSON.stringify(ranked.reasons), offered_by: actor.id
    })
    const after = await updateOpportunity(trx, opportunity.id, { status: 'offered' })
    await recordHistory(trx, actor, { kind: 'offered', body: `Offered to ${ranked.partner.name}, to answer by ${deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC.`, partnerId: ranked.partner.id, before: opportunity, after })
    await this.deps.events.emit(trx, 'opportunity.offered', opportunity.id, {
      opportunityId: opportunity.id, partnerId: ranked.partner.id, by: actor.id, offerId: offer.id, deadline: deadline.toISOString()
    })
    await this.deps.jobs.enqueue(trx, 'opportunity.offer-expire', { offerId: offer.id }, deadline)
    await this.deps.jobs.enqueue(trx, 'opportunity.offer-remind', { offerId: offer.id }, new Date(deadline.getTime() - Math.min(24, hours / 2) * hour))
    await this.notifyPartner(trx, ranked.partner.id, `New opportunity offered: ${opportunity.name}`,
      `${opportunity.name} (${opportunity.customer_name}, ${opportunity.currency} ${opportunity.estimated_revenue}) is offered to your company.\n` +
      `Accept or reject it by ${deadline.toUTCString()}:\n\n${this.deps.mailer.link('/portal/opportunities/offers')}\n`)
    return offer
  }

  /** A page of the partner's inbox: offers waiting for its answer, soonest deadline first, after the last one shown. */
  async inbox(viewer: PartnerViewer, after: { key: string; id: string } | undefined, limit: number) {
    const rows = await pendingOffersForPartner(this.deps.db, viewer.partnerId, { after, limit: limit + 1 })
    return timePage(rows, limit, (o) => o.deadline_key)
  }

  /** Whether the offer was made to the viewer's company, answered or not. */
  async offeredTo(viewer: PartnerViewer, offerId: string): Promise<boolean> {
    return Boolean(await findOfferForPartner(this.deps.db, viewer.partnerId, offerId))
  }

  /** The first answer wins: the offer row is locked, and a second answer finds it answered. */
  async accept(viewer: PartnerViewer, offerId: string): Promise<OpportunityRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const { offer, opportunity } = await this.pendingOffer(trx, viewer, offerId)
      await setOfferStatus(trx, offer.id, 'accepted', viewer.id)
      const accountId = await this.deps.customers.ensureAccount(trx, viewer, viewer.partnerId, {
        name: opportunity.customer_name, domain: opportunity.customer_domain, country: opportunity.territory, ownerId: viewer.id
      })
      const after = await updateOpportunity(trx, opportunity.id, { status: 'open', partner_id: viewer.partnerId, owner_id: viewer.id, account_id: accountId })
      await recordHistory(trx, viewer, { kind: 'accepted', body: `Accepted by ${viewer.name}.`, partnerId: viewer.partnerId, before: opportunity, after })
      await this.deps.events.emit(trx, 'opportunity.accepted', opportunity.id, { opportunityId: opportunity.id, partnerId: viewer.partnerId, by: viewer.id, offerId: offer.id, accountId })
      return after
    })
  }

  async reject(viewer: PartnerViewer, offerId: string, reason: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const { offer, opportunity } = await this.pendingOffer(trx, viewer, offerId)
      await setOfferStatus(trx, offer.id, 'rejected', viewer.id, reason)
      await recordHistory(trx, viewer, { kind: 'rejected', body: `Rejected by ${viewer.name}: ${reason}`, partnerId: viewer.partnerId, after: opportunity })
      await this.deps.events.emit(trx, 'opportunity.rejected', opportunity.id, { opportunityId: opportunity.id, partnerId: viewer.partnerId, by: viewer.id, offerId: offer.id, reason })
      await this.moveOn(trx, opportunity)
    })
  }

  /** The partner gives an accepted deal back; it counts in its return rate and goes on to the next partner. */
  async giveBack(viewer: PartnerViewer, opportunity: OpportunityRow, reason: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const locked = await lockOpportunity(trx, opportunity.id)
      if (!locked || locked.partner_id !== viewer.partnerId || locked.status !== 'open') throw new Conflict('Only an open deal your company holds can be returned.')
      const offer = await acceptedOfferFor(trx, locked.id, viewer.partnerId)
      if (!offer) throw new Conflict('Only deals that were offered to your company can be returned; close a registered deal as lost instead.')
      await setOfferStatus(trx, offer.id, 'returned', viewer.id, reason)
      const after = await updateOpportunity(trx, locked.id, { status: 'queued', partner_id: null, owner_id: null, account_id: null, contact_id: null, stage: 'qualify' })
      await recordHistory(trx, viewer, { kind: 'returned', body: `Returned by ${viewer.name}: ${reason}`, partnerId: viewer.partnerId, before: locked, after })
      await this.deps.events.emit(trx, 'opportunity.returned', locked.id, { opportunityId: locked.id, partnerId: viewer.partnerId, by: viewer.id, reason })
      await this.moveOn(trx, after)
    })
  }

  /** After a refusal: the next best partner, or the staff queue once the deal was refused often enough. */
  private async moveOn(trx: DbOrTrx, opportunity: OpportunityRow): Promise<void> {
    const rules = await getRules(trx)
    const queued = await updateOpportunity(trx, opportunity.id, { status: 'queued', refusals: opportunity.refusals + 1 })
    if (queued.refusals >= rules.max_refusals) {
      await recordHistory(trx, systemActor, { kind: 'back-to-staff', body: `Back in the staff queue after ${queued.refusals} refusals.`, staffOnly: true, before: opportunity, after: queued })
      return
    }
    if (queued.distribution === 'auto') await this.offerToBest(trx, systemActor, queued)
  }

  private async expire(trx: DbOrTrx, offerId: string): Promise<void> {
    const offer = await lockOffer(trx, offerId)
    if (!offer || offer.status !== 'pending' || offer.deadline > new Date()) return
    await setOfferStatus(trx, offer.id, 'expired', null)
    const opportunity = await lockOpportunity(trx, offer.opportunity_id)
    if (!opportunity) return
    await recordHistory(trx, systemActor, { kind: 'expired', body: 'The offer expired without an answer.', partnerId: offer.partner_id, after: opportunity })
    await this.deps.events.emit(trx, 'opportunity.expired', opportunity.id, { opportunityId: opportunity.id, partnerId: offer.partner_id, by: null, offerId: offer.id })
    await this.moveOn(trx, opportunity)
  }

  private async remind(trx: DbOrTrx, offerId: string): Promise<void> {
    const offer = await lockOffer(trx, offerId)
    if (!offer || offer.status !== 'pending') return
    const opportunity = await findOpportunity(trx, offer.opportunity_id)
    await this.deps.events.emit(trx, 'opportunity.offer-expiring', offer.opportunity_id,
      { opportunityId: offer.opportunity_id, partnerId: offer.partner_id, by: null, offerId: offer.id, deadline: offer.deadline.toISOString() })
    await this.notifyPartner(trx, offer.partner_id, `Offer about to expire: ${opportunity?.name}`,
      `The offer of ${opportunity?.name} expires on ${offer.deadline.toUTCString()}. Accept or reject it here:\n\n${this.deps.mailer.link('/portal/opportunities/offers')}\n`)
  }

  private async pendingOffer(trx: DbOrTrx, viewer: PartnerViewer, offerId: string) {
    const offer = await lockOffer(trx, offerId)
    if (!offer || offer.partner_id !== viewer.partnerId) throw new NotFound('The offer')
    if (!permissionsOf(viewer).acceptOffers) throw new Forbidden('Your access does not allow you to answer offers; ask your partner admin.')
    if (offer.status !== 'pending') throw new Conflict(`This offer was already ${offer.status === 'accepted' ? 'accepted' : `answered (${offer.status})`}.`)
    if (offer.deadline <= new Date()) throw new Conflict('This offer has expired.')
    const opportunity = await lockOpportunity(trx, offer.opportunity_id)
    if (!opportunity) throw new NotFound('The offer')
    return { offer, opportunity }
  }

  private async queued(trx: DbOrTrx, opportunityId: string): Promise<OpportunityRow> {
    const opportunity = await lockOpportunity(trx, opportunityId)
    if (!opportunity) throw new NotFound('The opportunity')
    if (opportunity.status !== 'queued') throw new Conflict('Only a deal in the staff queue can be offered.')
    return opportunity
  }

  /** Partner admins and employees who may answer offers get the e-mail. */
  private async notifyPartner(trx: DbOrTrx, partnerId: string, subject: string, body: string): Promise<void> {
    const people = (await this.deps.partnerUsers.list(partnerId, trx)).filter((u) => u.status === 'active' &&
      this.deps.channelAreas.effective(u).acceptOffers)
    for (const person of people) await this.deps.mailer.send(trx, { to: person.email, subject, body: `Hello ${person.name},\n\n${body}` })
  }

  /** Staff hand a queued deal to the best eligible partner that was not offered it before. */
  async offerBest(actor: Actor & { id: string }, opportunityId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const opportunity = await this.queued(trx, opportunityId)
      if (!await this.offerToBest(trx, actor, opportunity)) {
        throw new Conflict('No eligible partner is left that was not offered this deal before. Offer it to a partner of your choice, or change the distribution rules.')
      }
    })
  }

  /** New distribution rules; a score needs at least one factor that counts. */
  async saveRules(actor: Actor, rules: Omit<Parameters<typeof updateRules>[1], 'weights'> & { weights: Weights }): Promise<void> {
    if (Object.values(rules.weights).every((w) => w === 0)) throw new Invalid({ w_territory: 'Give at least one factor a weight above 0.' })
    const stored = { ...rules, weights: JSON.stringify(rules.weights) }
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await getRules(trx)
      await updateRules(trx, stored)
      await audit(trx, actor, { action: 'distribution.rules-updated', entity: 'distribution-rules', entityId: '1', before, after: stored })
    })
  }
}
