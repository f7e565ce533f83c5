import type { Feature } from '../../core/features.ts'
import adminRoutes from './admin.routes.ts'
import { seedStaff } from './admin.seed.ts'
import { systemWidget } from './admin.widgets.ts'

/** The demo staff accounts, for other modules' demo data (a staff admin decides the demo applications). */
export { demoStaff } from './admin.seed.ts'

const admin: Feature = {
  name: 'admin',
  routes: adminRoutes,
  nav: [
    { audience: 'staff', label: 'Home', href: '/admin', order: 0 },
    { audience: 'staff', label: 'Audit trail', href: '/admin/audit', order: 90, menu: 'Settings' },
    { audience: 'staff', label: 'Staff', href: '/admin/staff', order: 91, access: 'staff-admin', menu: 'Settings' },
    { audience: 'staff', label: 'Outbox', href: '/admin/outbox', order: 92, access: 'staff-admin', menu: 'Settings' },
    { audience: 'staff', label: 'Background jobs', href: '/admin/jobs', order: 93, access: 'staff-admin', menu: 'Settings' }
  ],
  widgets: [systemWidget],
  seed: seedStaff
}

export default admin
