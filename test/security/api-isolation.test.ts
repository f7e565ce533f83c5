import t from 'tap'
import { buildTestApp } from '../helper.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { registrationForm } from '../fixtures/opportunities.ts'
import { ApiClient, everything, issueKey } from '../fixtures/api.ts'
import { Agent } from '../helper.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

/** A partner with a customer, a contact, a registered deal and an API key of its own that may do everything (a partner admin's). */
async function partnerWithRecords(app: Awaited<ReturnType<typeof buildTestApp>>['app'], slug: string) {
  const partner = await createActivePartner(app, slug)
  const { accountId } = await createCustomer(app, partner.admin.id, `${slug} customer`, { contact: `Pat-${slug}` })
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  await agent.post('/portal/opportunities', registrationForm(accountId, { name: `${slug} secret deal` }))
  const key = await issueKey(app, partner.admin, { permissions: everything(app) })
  return { ...partner, key, api: new ApiClient(app, key.token), ids: await idsOwnedBy(app, partner.partner.id) }
}

t.test('every /api/v1 route answers 404 for another partner’s ids (403 on the staff’s), changes nothing, and no list shows their records', async (t) => {
  // Each route is tried with every id and body: more calls than a key may make in a minute by default.
  const { app } = await buildTestApp(t, { API_RATE_LIMIT: '100000' })
  const victim = await partnerWithRecords(app, 'victim')
  const attacker = await partnerWithRecords(app, 'attacker')
  t.ok(victim.ids.length >= 5, `the victim's ids: ${victim.ids.length}`)
  t.ok(victim.ids.includes(victim.key.id), 'its API key among them')

  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/api/v1/'))
  const withIds = routes.filter((r) => r.url.includes(':'))
  t.ok(withIds.length >= 3, `API routes with ids: ${withIds.length}`)
  await attacker.api.get('/api/v1/me')
  const before = await fingerprint(app)
  // Bodies the routes accept: body validation comes before the record is looked up, so each route
  // must answer 404 to every body it accepts, and accept at least one (else it was never tried).
  const bodies = [{}, { name: 'Hijacked' }, { stage: 'close' }, { actualRevenue: '1' }, { reason: 'taking it over' }, { body: 'mine now' }, { levelId: victim.partner.id }, { partnerId: attacker.partner.id }]
  t.ok(withIds.some((r) => r.access.startsWith('staff')) && withIds.some((r) => r.access === 'partner-admin'), 'staff and partner-admin routes among them')
  for (const route of withIds) {
    // The staff's routes refuse a partner's key before they read the body or look for the record.
    const staff = route.access.startsWith('staff')
    for (const id of victim.ids) {
      const url = fill(route.url, id)
      const answers = []
      for (const body of route.method === 'GET' ? [undefined] : bodies) answers.push((await attacker.api.request(route.method as 'GET', url, body)).statusCode)
      t.ok(staff ? answers.every((s) => s === 403) : answers.includes(404) && answers.every((s) => s === 404 || s === 422), `${route.method} ${url}: ${answers.join(' ')}`)
    }
  }
  t.same(await fingerprint(app), before, 'nothing changed')

  for (const route of routes.filter((r) => r.method === 'GET' && !r.url.includes(':'))) {
    const res = await attacker.api.get(route.url)
    t.ok(res.statusCode < 500, `${route.url} answers`)
    for (const secret of ['victim customer', 'victim secret deal', 'Pat-victim', ...victim.ids.filter((id) => id !== victim.partner.id)]) {
      t.notOk(res.body.includes(secret), `${route.url} does not show ${secret}`)
    }
  }
})
