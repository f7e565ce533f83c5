import type { FastifyPluginAsync } from 'fastify'
import customerAccountRoutes from './customer-account.routes.ts'
import contactRoutes from './contact.routes.ts'
import customerExportRoutes from './customer-export.routes.ts'
import customerImportRoutes from './customer-import.routes.ts'
import customersAdminRoutes from './customers-admin.routes.ts'

const customersRoutes: FastifyPluginAsync = async (app) => {
  await app.register(customerAccountRoutes)
  await app.register(contactRoutes)
  await app.register(customerExportRoutes)
  await app.register(customerImportRoutes)
  await app.register(customersAdminRoutes)
}

export default customersRoutes
