import type { Db } from '../../core/data/database.ts'
import { Conflict, NotFound } from '../../core/lib/errors.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { timePage } from '../../core/lib/pagination.ts'
import {
  channelFiguresValue, channelRow, countsOf, listAll, listAllJson, staffListRow, statusCounts, statusCountsJson, topWonValue, type StaffFilter
} from './channel.repository.ts'
import type { DistributionService } from './distribution.service.ts'
import { staffQueueQuery, type StaffQueue } from './figures.repository.ts'
import { dealPage, dealRows } from './deal-page.repository.ts'
import { offersOf } from './offers.repository.ts'
import { conflictsFor } from './opportunities.repository.ts'
import type { OpportunitiesService } from './opportunities.service.ts'
import type { ChannelSort } from './opportunities.table.ts'
import { timelinePage } from './timeline.repository.ts'

/** The channel as staff see it: every deal, a deal's whole story, and each partner's pipeline and track record. */
export class ChannelService {
  constructor(private readonly deps: { db: Db; opportunities: OpportunitiesService; distribution: DistributionService }) {}

  /** A page of every opportunity, latest change first. */
  async list(filter: Omit<StaffFilter, 'limit'>, limit: number) {
    return timePage(await listAll(this.deps.db, { ...filter, limit: limit + 1 }), limit, (o) => o.updated_key)
  }

  /** The staff list's page and the deals per status beside it (of its partner or customer account), read together. */
  async listWithCounts(load: PageLoader, filter: Omit<StaffFilter, 'limit'>, limit: number) {
    const { db } = this.deps
    const [rows, counts] = await Promise.all([
      load('list', () => listAllJson(db, { ...filter, limit: limit + 1 })),
      load('counts', () => statusCountsJson(db, { partnerId: filter.partnerId, accountId: filter.accountId }))
    ])
    return { page: timePage(rows.map(staffListRow), limit, (o) => o.updated_key), counts: countsOf(counts) }
  }

  /** The partners ranked for a deal in the staff queue, with their reasons, as its page shows them. */
  async ranking(id: string) {
    const opportunity = await this.deps.opportunities.staffGet(id)
    if (opportunity.status !== 'queued') throw new Conflict('Only a deal in the staff queue is ranked for distribution.')
    return this.deps.distribution.ranking(this.deps.db, opportunity)
  }

  /** Every offer made of a deal, oldest first. */
  async offers(id: string) {
    await this.deps.opportunities.staffGet(id)
    return offersOf(this.deps.db, id)
  }

  async offer(id: string, offerId: string) {
    const offer = (await this.offers(id)).find((o) => o.id === offerId)
    if (!offer) throw new NotFound('The offer')
    return offer
  }

  /** How many deals are in each status, of one partner or one customer account if given. */
  counts(of: { partnerId?: string; accountId?: string }) {
    return statusCounts(this.deps.db, of)
  }

  /**
   * A deal's staff page: the deal with its collaborators, offers, latest events and the rules, read
   * together; the live deals it conflicts with while its registration waits; the partners ranked for
   * it while it is queued.
   */
  async opportunity(load: PageLoader, id: string, after?: { key: string; id: string }) {
    const { db } = this.deps
    const [found, collaborators, offers, events, rules] = await Promise.all([
      load('deal', () => dealPage.deal(db, id)), load('collaborators', () => dealPage.collaborators(db, id)),
      load('offers', () => dealPage.offers(db, id)), load('events', () => dealPage.events(db, id, after, timelinePage)),
      load('rules', () => dealPage.rules(db))
    ])
    if (!found) throw new NotFound('The opportunity')
    const opportunity = dealRows.deal(found)
    return {
      opportunity, collaborators: collaborators.map(dealRows.collaborator), offers: offers.map(dealRows.offer),
      conflicts: opportunity.status === 'pending_approval'
        ? await conflictsFor(db, { id, accountId: opportunity.account_id, domain: opportunity.customer_domain, partnerId: opportunity.partner_id })
        : [],
      ranking: opportunity.status === 'queued' ? await this.deps.distribution.ranking(db, opportunity) : [],
      timeline: timePage(events.map(dealRows.event), timelinePage, (e) => e.at_key),
      rules: dealRows.rules(rules)
    }
  }

  /** Each partner's pipeline and track record, values in one currency, read with the page's other values. */
  async figures(load: PageLoader, f: { currency: string; search?: string; sort: ChannelSort; limit: number }) {
    return (await load('channel', () => channelFiguresValue(this.deps.db, f))).map(channelRow)
  }

  /** The partners with the most revenue won this year, in one currency; asked for with `figures` on one loader, read with it. */
  topWon(load: PageLoader, currency: string, limit: number) {
    return load('top-won', () => topWonValue(this.deps.db, currency, limit))
  }

  /** Deals waiting for staff, read with the page's other values. */
  queue(load: PageLoader): Promise<StaffQueue> {
    return load('staff-queue', staffQueueQuery)
  }
}
