import type { Widget } from '../../core/features/features.ts'

export const companyWidget: Widget = {
  audience: 'partner',
  id: 'company',
  title: 'Your company',
  order: 90,
  render: async ({ viewer, render, load, cradle }) =>
    render('partners/widget-company', { partner: await cradle.partners.summary(load, viewer.partnerId!) })
}

export const teamWidget: Widget = {
  audience: 'partner',
  id: 'team',
  title: 'Team',
  order: 91,
  render: async ({ viewer, render, load, cradle }) =>
    render('partners/widget-team', { team: await cradle.partners.teamSummary(load, viewer.partnerId!), isAdmin: viewer.role === 'admin' })
}

export const recruitmentWidget: Widget = {
  audience: 'staff',
  id: 'recruitment',
  title: 'Partner applications',
  order: 10,
  render: async ({ render, load, cradle }) => render('partners/widget-recruitment', { ...await cradle.partners.applicationSummary(load) })
}
