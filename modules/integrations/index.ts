import type { Feature } from '../../core/features/features.ts'
import integrationsRoutes from './integrations.routes.ts'

/** What other systems use to reach the portal: API keys, for a company's admins and for staff admins (webhooks sit beside them, in the webhooks module). */
const integrations: Feature = {
  name: 'integrations',
  dependsOn: ['partners'],
  routes: integrationsRoutes,
  nav: [
    { audience: 'partner', label: 'Integrations', href: '/portal/integrations', order: 82, access: 'partner-admin' },
    { audience: 'staff', label: 'Integrations', href: '/admin/integrations', order: 95, access: 'staff-admin', menu: 'Settings' }
  ]
}

export default integrations
