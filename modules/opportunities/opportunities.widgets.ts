import { permissionsOf, type PartnerViewer } from '../../core/identity/access.ts'
import type { Widget, WidgetContext } from '../../core/features/features.ts'
import { stages } from './opportunities.table.ts'

/** The four partner widgets share one value of the page's load; "own records" users see their own deals only. */
const figures = ({ viewer, load, cradle }: WidgetContext) => cradle.pipeline.dashboard(load, viewer as PartnerViewer)
type CurrencyFigures = Awaited<ReturnType<typeof figures>>['figures'][number]

export const revenueWidget: Widget = {
  audience: 'partner', id: 'revenue', title: 'Revenue won', order: 10, area: 'opportunities',
  render: async (ctx) => {
    const rows = (await figures(ctx)).figures
    const quarters = rows.filter((f) => Number(f.won_this_quarter) || Number(f.won_last_quarter))
      .sort((a, b) => Number(b.won_this_quarter) - Number(a.won_this_quarter))
      .map((f) => ({ currency: f.currency, this_quarter: f.won_this_quarter, last_quarter: f.won_last_quarter }))
    const year = rows.filter((f) => Number(f.won_count_year) > 0).map((f) => ({ currency: f.currency, value: f.won_this_year }))
    return ctx.render('opportunities/widget-revenue', { quarters, year })
  }
}

export const pipelineWidget: Widget = {
  audience: 'partner', id: 'pipeline', title: 'Open pipeline by stage', order: 11, area: 'opportunities',
  render: async (ctx) => {
    const rows = (await figures(ctx)).figures.filter((f) => Object.keys(f.by_stage).length > 0)
    const total = (f: CurrencyFigures) => Object.values(f.by_stage).reduce((a, s) => a + Number(s.value), 0)
    const main = [...rows].sort((a, b) => total(b) - total(a))[0]
    const byStage = stages.map((stage) => ({ stage, count: Number(main?.by_stage[stage]?.count ?? 0), value: Number(main?.by_stage[stage]?.value ?? 0) }))
    return ctx.render('opportunities/widget-pipeline', {
      byStage, currency: main?.currency ?? 'USD', others: rows.filter((r) => r !== main).map((r) => r.currency),
      canCreate: permissionsOf(ctx.viewer).opportunities.create
    })
  }
}

export const offersWidget: Widget = {
  audience: 'partner', id: 'offers', title: 'Offers waiting for your answer', order: 12, area: 'opportunities',
  render: async (ctx) => ctx.render('opportunities/widget-offers', { offers: (await figures(ctx)).offers })
}

export const stalledWidget: Widget = {
  audience: 'partner', id: 'stalled', title: 'Stalled deals', order: 13, area: 'opportunities',
  render: async (ctx) => {
    const { stalled, stall_days: days } = await figures(ctx)
    return ctx.render('opportunities/widget-stalled', { deals: stalled, days })
  }
}

export const staffQueueWidget: Widget = {
  audience: 'staff', id: 'opportunity-queue', title: 'Opportunities needing staff', order: 5,
  render: async ({ render, load, cradle }) => render('opportunities/widget-staff-queue', { counts: await cradle.channel.queue(load) })
}
