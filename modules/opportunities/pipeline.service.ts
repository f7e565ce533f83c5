import { permissionsOf, type PartnerViewer, type Viewer } from '../../core/identity/access.ts'
import type { Db } from '../../core/data/database.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { timePage } from '../../core/lib/pagination.ts'
import { pickerOf, pickerSize, pickerText, type Choice, type Picker } from '../../core/lib/pickers.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { isId } from '../../core/lib/validation.ts'
import { reachOf } from '../../core/identity/reach.ts'
import { dashboardFiguresQuery, toDashboardFigures, type DashboardFigures } from './figures.repository.ts'
import { listForAccount } from './opportunities.repository.ts'
import type { OpportunitiesService } from './opportunities.service.ts'
import type { OpportunityStatus, Stage } from './opportunities.table.ts'
import { boardColumns, listPipeline, listPipelineJson, partnerDealPage, type PipelineFilter } from './pipeline.repository.ts'
import { collaboratorsOf, timeline, timelinePage } from './timeline.repository.ts'

const dealChoice = (o: { id: string; number: number; name: string; customer_name: string; stage: string }): Choice =>
  ({ id: o.id, label: `#${o.number} ${o.name}`, detail: `${o.customer_name} · ${o.stage}` })

/** Cards of each stage the board shows (the rest a link away, which keeps the page light); the column totals count them all. */
const boardCards = 15

export interface PipelineQuery {
  status?: OpportunityStatus
  stage?: Stage
  search?: string
  accountId?: string
  /** "My deals": the viewer's own, for someone who sees the whole company's. */
  mine?: boolean
  after?: { key: string; id: string }
}

/**
 * A partner's deals as its people read them: the pipeline list and board, a deal's page and the
 * dashboard's figures, each within the viewer's reach ("own records" see their own deals only).
 */
export class PipelineService {
  constructor(private readonly deps: { db: Db; opportunities: OpportunitiesService }) {}

  /** Whether the viewer may narrow the list to their own deals: they see the whole company's. */
  ownerChoice(viewer: PartnerViewer): boolean {
    return reachOf(viewer, 'opportunities').ownerId === null
  }

  /**
   * A page of the pipeline, newest activity first. Deals other companies share with this one come
   * along, except under "My deals": they have no owner here.
   */
  async list(viewer: PartnerViewer, query: PipelineQuery, limit: number) {
    return timePage(await listPipeline(this.deps.db, this.filter(viewer, query, limit + 1)), limit, (o) => o.updated_key)
  }

  /** The same page with each deal as the API's JSON text (opportunities.resource.ts's summary). */
  async listJson(viewer: PartnerViewer, query: PipelineQuery, limit: number) {
    return timePage(await listPipelineJson(this.deps.db, this.filter(viewer, query, limit + 1)), limit, (o) => o.updated_key)
  }

  private filter(viewer: PartnerViewer, query: PipelineQuery, limit: number): PipelineFilter {
    const reach = reachOf(viewer, 'opportunities')
    const mine = reach.ownerId === null && Boolean(query.mine)
    return {
      partnerId: reach.partnerId, ownerId: reach.ownerId ?? (mine ? viewer.id : null), shared: !mine,
      status: query.status, stage: query.stage, search: query.search, accountId: query.accountId, after: query.after, limit
    }
  }

  /**
   * A picker of the deals the viewer's company holds within their reach (later modules' forms: a case
   * about a deal), matching q by name or customer. A chosen id out of reach, or only shared with
   * the company, answers 404; a malformed one chooses nothing.
   */
  async dealPicker(viewer: PartnerViewer, q: unknown, chosenId: unknown): Promise<Picker> {
    const text = pickerText(q)
    const reach = reachOf(viewer, 'opportunities')
    const found = await listPipeline(this.deps.db, { partnerId: reach.partnerId, ownerId: reach.ownerId, shared: false, search: text || undefined, limit: pickerSize + 1 })
    const chosen = isId(chosenId) ? await this.deps.opportunities.forPartner(viewer, chosenId) : null
    if (chosen && chosen.partner_id !== viewer.partnerId) throw new NotFound('The opportunity')
    return pickerOf(text, found.map(dealChoice), chosen && dealChoice(chosen))
  }

  board(viewer: PartnerViewer) {
    const reach = reachOf(viewer, 'opportunities')
    return boardColumns(this.deps.db, reach.partnerId, reach.ownerId, boardCards)
  }

  /**
   * A deal's page: the deal, its timeline as this partner may read it (the holder's and the
   * collaborators' events, never a former holder's), and who may take it over.
   */
  async detail(viewer: PartnerViewer, id: string, after?: { key: string; id: string }) {
    const mayAssign = this.deps.opportunities.mayAssign(viewer)
    const found = await partnerDealPage(this.deps.db, reachOf(viewer, 'opportunities'), id, after, timelinePage, mayAssign ? viewer.partnerId : null)
    if (!found) throw new NotFound('The opportunity')
    const { events, people, ...opportunity } = found
    const holder = opportunity.partner_id === viewer.partnerId
    return {
      opportunity, holder,
      events: timePage(events.map((e) => ({ ...e, at: new Date(e.at) })), timelinePage, (e) => e.at_key),
      assignees: holder && mayAssign ? this.deps.opportunities.assigneesAmong(people) : [],
      canEdit: holder && permissionsOf(viewer).opportunities.edit
    }
  }

  /** A deal's timeline as its page shows it to this partner, `size` events a page. */
  async timeline(viewer: PartnerViewer, id: string, after: { key: string; id: string } | undefined, size: number) {
    return this.eventsOf(await this.deps.opportunities.forPartner(viewer, id), after, size)
  }

  private async eventsOf(opportunity: { id: string; partner_id: string | null }, after?: { key: string; id: string }, size?: number) {
    const collaborators = await collaboratorsOf(this.deps.db, opportunity.id)
    const involved = [opportunity.partner_id, ...collaborators.map((c) => c.id)].filter((p): p is string => Boolean(p))
    return timeline(this.deps.db, opportunity.id, involved, after, size)
  }

  /** Every figure of the partner dashboard, read with the page's other values; the widgets share it. */
  async dashboard(load: PageLoader, viewer: PartnerViewer): Promise<DashboardFigures> {
    const reach = reachOf(viewer, 'opportunities')
    return toDashboardFigures(await load('opportunity-figures', () => dashboardFiguresQuery(reach.partnerId, reach.ownerId)))
  }

  /** A customer account's latest deals: every partner's for staff, the viewer's reach for a partner. */
  forAccount(viewer: Viewer, accountId: string, limit: number) {
    if (viewer.kind === 'staff') return listForAccount(this.deps.db, accountId, null, null, limit)
    const reach = reachOf(viewer as PartnerViewer, 'opportunities')
    return listForAccount(this.deps.db, accountId, reach.partnerId, reach.ownerId, limit)
  }
}
