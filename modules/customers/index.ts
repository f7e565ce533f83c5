import { asValue } from 'awilix'
import type { Feature } from '../../core/features.ts'
import customersRoutes from './customers.routes.ts'
import { seedCustomers } from './customers.seed.ts'
import { CustomersService, importJob } from './customers.service.ts'

export type { RemovalCheck } from './customers.service.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    customers: CustomersService
  }
}

declare module '../../core/features.ts' {
  interface PanelSlots {
    /** A customer account's page, the partner's and the staff's: its panels get the account. */
    'customer-account': { id: string; partnerId: string | null }
  }
}

const customers: Feature = {
  name: 'customers',
  dependsOn: ['partners'],
  register(container) {
    const { db, jobs, partners, partnerUsers } = container.cradle
    const service = new CustomersService({ db, jobs, partners, partnerUsers })
    jobs.register(importJob, (payload, trx, attempt) => service.advanceImport(trx, String(payload.importId), attempt.last))
    container.register({ customers: asValue(service) })
  },
  routes: customersRoutes,
  panelSlots: ['customer-account'],
  areas: [{ name: 'customers', label: 'Customers', scope: 'own', actions: { create: true, edit: true, delete: false } }],
  nav: [
    { audience: 'partner', label: 'Customers', href: '/portal/customers', order: 20, area: 'customers' },
    { audience: 'staff', label: 'Customers', href: '/admin/customers', order: 20 }
  ],
  seed: seedCustomers
}

export default customers
