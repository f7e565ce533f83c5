import type { Widget } from '../../core/features/features.ts'
import type { PartnerViewer } from '../../core/identity/access.ts'

/** The partner dashboard's knowledge card: required reading still to do, and the newest articles for them. */
export const knowledgeWidget: Widget = {
  audience: 'partner',
  id: 'knowledge',
  title: 'Knowledge',
  order: 40,
  render: async ({ viewer, render, cradle, load }) => render('knowledge/widget', { ...await cradle.knowledgeEngagement.dashboardCard(load, viewer as PartnerViewer) })
}
