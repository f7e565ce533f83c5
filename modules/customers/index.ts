import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import customersRoutes from './customers.routes.ts'
import customersApi from './customers.api.ts'
import { seedCustomers } from './customers.seed.ts'
import { ContactsService } from './contacts.service.ts'
import { CustomerImportService, importJob } from './customer-import.service.ts'
import { CustomerPickers } from './customer-pickers.service.ts'
import { CustomersAdminService } from './customers-admin.service.ts'
import { CustomersService } from './customers.service.ts'
import { webhookSources, webhookTypes } from './customers.webhooks.ts'

declare module '../../core/identity/access.ts' {
  interface ChannelAreaNames {
    customers: true
  }
}

declare module '../../core/container.ts' {
  interface Cradle {
    customers: CustomersService
    customerContacts: ContactsService
    customerPickers: CustomerPickers
    customerImports: CustomerImportService
    customersAdmin: CustomersAdminService
  }
}

declare module '../../core/features/features.ts' {
  interface PanelSlots {
    /** A customer account's page, the partner's and the staff's: its panels get the account. */
    'customer-account': { id: string; partnerId: string | null }
  }
}

const customers: Feature = {
  name: 'customers',
  dependsOn: ['partners'],
  register(container) {
    const { db, jobs, events, partners, partnerUsers } = container.cradle
    const customers = new CustomersService({ db, partnerUsers, events })
    const customerContacts = new ContactsService({ db })
    const imports = new CustomerImportService({ db, jobs, events, customers })
    jobs.register(importJob, (payload, trx, attempt) => imports.advance(trx, String(payload.importId), attempt.last))
    container.register({
      customers: asValue(customers),
      customerContacts: asValue(customerContacts),
      customerPickers: asValue(new CustomerPickers({ db, customers, customerContacts })),
      customerImports: asValue(imports),
      customersAdmin: asValue(new CustomersAdminService({ db, events, partners }))
    })
  },
  routes: customersRoutes,
  api: customersApi,
  panelSlots: ['customer-account'],
  areas: [{ name: 'customers', label: 'Customers', scope: 'own', actions: { create: true, edit: true, delete: false } }],
  nav: [
    { audience: 'partner', label: 'Customers', href: '/portal/customers', order: 20, area: 'customers' },
    { audience: 'staff', label: 'Customers', href: '/admin/customers', order: 20 }
  ],
  webhookTypes,
  webhookSources,
  seed: seedCustomers
}

export default customers
