import { scopeOf, type PartnerViewer, type Viewer } from '../../core/access.ts'
import type { Widget } from '../../core/features.ts'
import * as repo from './opportunities.repository.ts'
import { stages } from './opportunities.table.ts'

/** "own records" users see figures of their own deals; everyone else the company's. */
const ownerOf = (viewer: Viewer) => (scopeOf(viewer, 'opportunities') === 'own' ? viewer.id : null)
const partnerOf = (viewer: Viewer) => viewer as PartnerViewer

export const revenueWidget: Widget = {
  audience: 'partner', id: 'revenue', title: 'Revenue won', order: 10, area: 'opportunities',
  render: async ({ cradle, viewer, render }) => {
    const v = partnerOf(viewer)
    const [quarters, year] = await Promise.all([repo.wonRevenue(cradle.db, v.partnerId, ownerOf(v)), repo.wonThisYear(cradle.db, v.partnerId, ownerOf(v))])
    return render('opportunities/widget-revenue', { quarters, year })
  }
}

export const pipelineWidget: Widget = {
  audience: 'partner', id: 'pipeline', title: 'Open pipeline by stage', order: 11, area: 'opportunities',
  render: async ({ cradle, viewer, render }) => {
    const v = partnerOf(viewer)
    const rows = await repo.pipelineByStage(cradle.db, v.partnerId, ownerOf(v))
    const currencies = [...new Set(rows.map((r) => r.currency))]
    const main = currencies.sort((a, b) => sum(rows, b) - sum(rows, a))[0] ?? 'USD'
    const byStage = stages.map((stage) => {
      const row = rows.find((r) => r.stage === stage && r.currency === main)
      return { stage, count: Number(row?.count ?? 0), value: Number(row?.value ?? 0) }
    })
    return render('opportunities/widget-pipeline', { byStage, currency: main, others: currencies.filter((c) => c !== main) })
  }
}

const sum = (rows: Array<{ currency: string; value: string | null }>, currency: string) =>
  rows.filter((r) => r.currency === currency).reduce((a, r) => a + Number(r.value ?? 0), 0)

export const offersWidget: Widget = {
  audience: 'partner', id: 'offers', title: 'Offers waiting for your answer', order: 12, area: 'opportunities',
  render: async ({ cradle, viewer, render }) =>
    render('opportunities/widget-offers', { offers: await repo.pendingOffersForPartner(cradle.db, partnerOf(viewer).partnerId, 5) })
}

export const stalledWidget: Widget = {
  audience: 'partner', id: 'stalled', title: 'Stalled deals', order: 13, area: 'opportunities',
  render: async ({ cradle, viewer, render }) => {
    const v = partnerOf(viewer)
    const { stall_days: days } = await repo.getRules(cradle.db)
    return render('opportunities/widget-stalled', { deals: await repo.stalledDeals(cradle.db, v.partnerId, ownerOf(v), days, 5), days })
  }
}

export const staffQueueWidget: Widget = {
  audience: 'staff', id: 'opportunity-queue', title: 'Opportunities needing staff', order: 5,
  render: async ({ cradle, render }) => render('opportunities/widget-staff-queue', { counts: await repo.staffQueueCounts(cradle.db) })
}
