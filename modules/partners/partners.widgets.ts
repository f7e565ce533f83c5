import type { Widget } from '../../core/features.ts'
import { teamSummaryQuery } from '../../core/users/users.repository.ts'
import { applicationSummaryQuery, partnerSummaryQuery } from './partners.repository.ts'

export const companyWidget: Widget = {
  audience: 'partner',
  id: 'company',
  title: 'Your company',
  order: 90,
  render: async ({ viewer, render, load }) =>
    render('partners/widget-company', { partner: await load('partner', () => partnerSummaryQuery(viewer.partnerId!)) })
}

export const teamWidget: Widget = {
  audience: 'partner',
  id: 'team',
  title: 'Team',
  order: 91,
  render: async ({ viewer, render, load }) =>
    render('partners/widget-team', { team: await load('team', () => teamSummaryQuery(viewer.partnerId!, 5)), isAdmin: viewer.role === 'admin' })
}

export const recruitmentWidget: Widget = {
  audience: 'staff',
  id: 'recruitment',
  title: 'Partner applications',
  order: 10,
  render: async ({ render, load }) => render('partners/widget-recruitment', { ...await load('applications', applicationSummaryQuery) })
}
