import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import partnersRoutes from './partners.routes.ts'
import partnersApi from './partners.api.ts'
import { seedPartners } from './partners.seed.ts'
import { PartnersService } from './partners.service.ts'
import { webhookSources, webhookTypes } from './partners.webhooks.ts'
import { companyWidget, recruitmentWidget, teamWidget } from './partners.widgets.ts'

/** A read-only query fragment of the partners, for other modules' statements (see its file). */
export { partnerProfiles } from './partner-profiles.repository.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    partners: PartnersService
  }
}

const partners: Feature = {
  name: 'partners',
  dependsOn: ['admin'],
  register(container) {
    const { db, users, partnerUsers, mailer, events } = container.cradle
    container.register({ partners: asValue(new PartnersService({ db, users, partnerUsers, mailer, events })) })
  },
  routes: partnersRoutes,
  api: partnersApi,
  nav: [
    { audience: 'public', label: 'Find a partner', href: '/partners', order: 10 },
    { audience: 'public', label: 'Apply', href: '/apply', order: 20 },
    { audience: 'partner', label: 'Home', href: '/portal', order: 0 },
    { audience: 'partner', label: 'Company', href: '/portal/company', order: 80 },
    { audience: 'partner', label: 'Team', href: '/portal/team', order: 81, access: 'partner-admin' },
    { audience: 'staff', label: 'Applications', href: '/admin/partners/applications', order: 10 },
    { audience: 'staff', label: 'Partners', href: '/admin/partners', order: 11 },
    { audience: 'staff', label: 'Program', href: '/admin/program', order: 89, access: 'staff-admin', menu: 'Settings' }
  ],
  widgets: [companyWidget, teamWidget, recruitmentWidget],
  webhookTypes,
  webhookSources,
  seed: seedPartners
}

export default partners
