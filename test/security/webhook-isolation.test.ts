import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { viewerFor } from '../fixtures/customers.ts'
import { addEndpoint } from '../fixtures/webhooks.ts'
import { fill, fingerprint } from './isolation.ts'

const webhookRoutes = (app: Awaited<ReturnType<typeof buildTestApp>>['app'], base: string) =>
  app.routeCatalog.filter((r) => r.url.startsWith(`${base}/webhooks`))

t.test('another partner’s endpoint, or the staff’s, answers 404 on every webhook route, and nothing changes', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await createActivePartner(app, 'victim')
  const attacker = await createActivePartner(app, 'attacker')
  const staff = await createUser(app, { email: 'hooks@staff.example', role: 'admin' })
  const victimEndpoint = await addEndpoint(app, victim.admin.id, 'https://victim.example.com/hooks', ['customer.created'])
  const staffEndpoint = await addEndpoint(app, await viewerFor(app, staff.id), 'https://staff.example.com/hooks', ['application.submitted'])

  const agent = new Agent(app)
  await agent.signIn(attacker.email, attacker.password)
  const routes = webhookRoutes(app, '/portal/integrations').filter((r) => r.url.includes(':'))
  t.ok(routes.length >= 8, `webhook routes with ids: ${routes.length}`)
  const before = await fingerprint(app)
  for (const route of routes) {
    for (const id of [victimEndpoint.id, staffEndpoint.id]) {
      const url = fill(route.url, id)
      const res = route.method === 'GET' ? await agent.get(url) : await agent.post(url, { url: 'https://attacker.example.com/', events: 'customer.created' })
      t.equal(res.statusCode, 404, `${route.method} ${url}`)
    }
  }
  t.same(await fingerprint(app), before, 'nothing changed')
  const list = await agent.get('/portal/integrations/webhooks')
  t.notMatch(list.body, /victim\.example\.com|staff\.example\.com/, 'the list shows only the company’s own')
})

t.test('a partner user who is not an admin reaches no webhook page; a partner no staff one', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const own = await addEndpoint(app, acme.admin.id, 'https://acme.example.com/hooks', ['customer.created'])
  await createEmployee(app, acme.partner.id, 'mo@acme.example')
  const member = new Agent(app)
  await member.signIn('mo@acme.example', partnerPassword)
  for (const route of webhookRoutes(app, '/portal/integrations')) {
    const url = fill(route.url, own.id)
    const res = route.method === 'GET' ? await member.get(url) : await member.post(url, { url: 'https://x.example.com/', events: 'customer.created' })
    t.equal(res.statusCode, 403, `${route.method} ${url} as a member`)
  }
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  for (const route of webhookRoutes(app, '/admin/integrations')) {
    const url = fill(route.url, own.id)
    const res = route.method === 'GET' ? await admin.get(url) : await admin.post(url, {})
    t.ok([403, 404].includes(res.statusCode), `${route.method} ${url} as a partner admin: ${res.statusCode}`)
  }
  t.equal((await app.diContainer.cradle.db.selectFrom('webhook_endpoints').select('id').execute()).length, 1, 'nothing was added')
})
