import type { FastifyPluginAsync } from 'fastify'
import { partnerViewer } from '../../core/identity/access.ts'
import { csvStream, sendCsv } from '../../core/web/csv-download.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import { accountFilter, contactFilter, type AccountListQuery, type ContactListQuery } from './customer-filters.ts'
import { accountColumns, contactColumns } from './customers.schemas.ts'

const exportPage = 1000
const cursorOf = (cursor: string | undefined) => decodeCursor<{ key: string; id: string }>(cursor, { key: 'string', id: 'string' })

const customerExportRoutes: FastifyPluginAsync = async (app) => {
  const { customers, customerContacts } = app.diContainer.cradle
  const config = { access: 'partner' as const }

  app.get<{ Querystring: AccountListQuery }>('/portal/customers/export.csv', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // The area check before the stream starts: once the headers are sent, a 404 cannot follow.
    customers.reach(viewer)
    const { filter } = accountFilter({ ...request.query, after: undefined }, viewer, customers.seesCompany(viewer))
    const columns = [...accountColumns, 'owner']
    return sendCsv(reply, 'customers', csvStream(columns,
      (cursor) => customers.listAccounts(viewer, { ...filter, after: cursorOf(cursor) }, exportPage),
      (a) => ({ ...a, account_name: a.name, owner: a.owner_name })))
  })

  app.get<{ Querystring: ContactListQuery }>('/portal/customers/contacts/export.csv', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    customers.reach(viewer)
    const { filter } = contactFilter({ ...request.query, after: undefined })
    const columns = ['account_name', ...contactColumns]
    return sendCsv(reply, 'contacts', csvStream(columns,
      (cursor) => customerContacts.list(viewer, { ...filter, after: cursorOf(cursor) }, exportPage),
      (c) => ({
        account_name: c.account_name, contact_first_name: c.first_name, contact_last_name: c.last_name,
        contact_email: c.email, contact_phone: c.phone, contact_job_title: c.job_title
      })))
  })
}

export default customerExportRoutes
