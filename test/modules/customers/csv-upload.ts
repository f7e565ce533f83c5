import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

export const header = 'account_name,domain,website,phone,address,city,postal_code,country,industry,contact_first_name,contact_last_name,contact_email,contact_phone,contact_job_title'

/** Posts a file as a browser's multipart form would, with the form's CSRF token and any other fields. */
export async function upload(app: FastifyInstance, agent: Agent, csv: string, name = 'customers.csv', fields: Record<string, string> = {}) {
  if (!agent.csrfToken) await agent.get('/portal/customers/import')
  const boundary = '----portal-test-boundary'
  const body = [
    ...Object.entries({ _csrf: agent.csrfToken, ...fields }).map(([field, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}\r\n`),
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
    `--${boundary}--\r\n`
  ].join('')
  return app.inject({
    method: 'POST', url: '/portal/customers/import', payload: body, remoteAddress: agent.ip,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: agent.cookieHeader }
  })
}

export async function signedIn(t: Test) {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  return { app, acme, agent }
}

export const count = async (app: FastifyInstance, table: 'customer_accounts' | 'customer_contacts') =>
  Number((await app.diContainer.cradle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

export const importOf = (app: FastifyInstance, id: string) =>
  app.diContainer.cradle.db.selectFrom('customer_imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** The import's page as the polling htmx request gets it. */
export const polled = async (agent: Agent, id: string) => (await agent.get(`/portal/customers/imports/${id}`, { 'hx-request': 'true' })).body
