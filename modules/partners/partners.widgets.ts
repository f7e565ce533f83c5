import type { Widget } from '../../core/features.ts'
import { applicationCounts, pendingAges } from './partners.repository.ts'

export const companyWidget: Widget = {
  audience: 'partner',
  id: 'company',
  title: 'Your company',
  order: 90,
  render: async ({ cradle, viewer, render, memo }) =>
    render('partners/widget-company', { partner: await memo('partner', () => cradle.partners.partner(cradle.db, viewer.partnerId!)) })
}

export const teamWidget: Widget = {
  audience: 'partner',
  id: 'team',
  title: 'Team',
  order: 91,
  render: async ({ cradle, viewer, render }) => {
    return render('partners/widget-team', { team: await cradle.partnerUsers.summary(viewer.partnerId!), isAdmin: viewer.role === 'admin' })
  }
}

export const recruitmentWidget: Widget = {
  audience: 'staff',
  id: 'recruitment',
  title: 'Partner applications',
  order: 10,
  render: async ({ cradle, render }) =>
    render('partners/widget-recruitment', { counts: await applicationCounts(cradle.db), ages: await pendingAges(cradle.db) })
}
