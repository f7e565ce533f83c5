import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import adminRoutes from './admin.routes.ts'
import { seedStaff } from './admin.seed.ts'
import { systemWidget } from './admin.widgets.ts'
import { AuditTrailService } from './audit-trail.service.ts'
import { OutboxService } from './outbox.service.ts'
import { StaffService } from './staff.service.ts'

/** The demo staff accounts, for other modules' demo data (a staff admin decides the demo applications). */
export { demoStaff } from './admin.seed.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    /** Read by every module that shows a record's history. */
    auditTrail: AuditTrailService
    outbox: OutboxService
    staff: StaffService
  }
}

const admin: Feature = {
  name: 'admin',
  register(container) {
    const { db, users } = container.cradle
    container.register({
      auditTrail: asValue(new AuditTrailService({ db })),
      outbox: asValue(new OutboxService({ db })),
      staff: asValue(new StaffService({ db, users }))
    })
  },
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
