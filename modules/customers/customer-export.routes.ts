import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { partnerViewer } from '../../core/access.ts'
import { decodeCursor, type Page } from '../../core/pagination.ts'
import { csvLines } from './customer-csv.ts'
import { accountFilter, contactFilter, type AccountListQuery, type ContactListQuery } from './customer-filters.ts'
import { accountColumns, contactColumns } from './customers.schemas.ts'

const exportPage = 1000
type Cursor = { key: string; id: string }

/** Walks every page of a keyset list, writing each as CSV lines, so a large export never sits in memory. */
function csvStream<T>(columns: readonly string[], fetch: (after: Cursor | undefined) => Promise<Page<T>>, toRow: (item: T) => Record<string, unknown>): Readable {
  return Readable.from((async function* () {
    let after: Cursor | undefined
    let first = true
    do {
      const page = await fetch(after)
      yield csvLines(page.items.map(toRow), columns, first)
      first = false
      after = decodeCursor<Cursor>(page.next, { key: 'string', id: 'string' })
    } while (after)
  })())
}

const sendCsv = (reply: FastifyReply, name: string, body: Readable) => reply
  .header('content-type', 'text/csv; charset=utf-8')
  .header('content-disposition', `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`)
  .header('cache-control', 'no-store')
  .send(body)

const customerExportRoutes: FastifyPluginAsync = async (app) => {
  const { customers } = app.diContainer.cradle
  const config = { access: 'partner' as const }

  app.get<{ Querystring: AccountListQuery }>('/portal/customers/export.csv', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // The area check before the stream starts: once the headers are sent, a 404 cannot follow.
    customers.reach(viewer)
    const { filter } = accountFilter({ ...request.query, after: undefined }, viewer, customers.seesCompany(viewer))
    const columns = [...accountColumns, 'owner']
    return sendCsv(reply, 'customers', csvStream(columns,
      (after) => customers.listAccounts(viewer, { ...filter, after }, exportPage),
      (a) => ({ ...a, account_name: a.name, owner: a.owner_name })))
  })

  app.get<{ Querystring: ContactListQuery }>('/portal/customers/contacts/export.csv', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    customers.reach(viewer)
    const { filter } = contactFilter({ ...request.query, after: undefined })
    const columns = ['account_name', ...contactColumns]
    return sendCsv(reply, 'contacts', csvStream(columns,
      (after) => customers.listContacts(viewer, { ...filter, after }, exportPage),
      (c) => ({
        account_name: c.account_name, contact_first_name: c.first_name, contact_last_name: c.last_name,
        contact_email: c.email, contact_phone: c.phone, contact_job_title: c.job_title
      })))
  })
}

export default customerExportRoutes
