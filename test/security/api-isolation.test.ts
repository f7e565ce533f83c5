import t from 'tap'
import { buildTestApp } from '../helper.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { registrationForm } from '../fixtures/opportunities.ts'
import { ApiClient, issueKey } from '../fixtures/api.ts'
import { Agent } from '../helper.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

/** A partner with a customer, a contact, a registered deal and an API key of its own. */
async function partnerWithRecords(app: Awaited<ReturnType<typeof buildTestApp>>['app'], slug: string) {
  const partner = await createActivePartner(app, slug)
  const { accountId } = await createCustomer(app, partner.admin.id, `${slug} customer`, { contact: 'Pat' })
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  await agent.post('/portal/opportunities', registrationForm(accountId, { name: `${slug} secret deal` }))
  const key = await issueKey(app, partner.admin)
  return { ...partner, key, api: new ApiClient(app, key.token), ids: await idsOwnedBy(app, partner.partner.id) }
}

t.test('every /api/v1 route answers 404 for another partner’s ids, changes nothing, and no list shows their records', async (t) => {
  const { app } = await buildTestApp(t)
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
  const bodies = [{}, { name: 'Hijacked' }, { stage: 'close' }, { actualRevenue: '1' }, { reason: 'taking it over' }, { body: 'mine now' }]
  for (const route of withIds) {
    for (const id of victim.ids) {
      const url = fill(route.url, id)
      const answers = []
      for (const body of route.method === 'GET' ? [undefined] : bodies) answers.push((await attacker.api.request(route.method as 'GET', url, body)).statusCode)
      t.ok(answers.includes(404) && answers.every((s) => s === 404 || s === 422), `${route.method} ${url}: ${answers.join(' ')}`)
    }
  }
  t.same(await fingerprint(app), before, 'nothing changed')

  for (const route of routes.filter((r) => r.method === 'GET' && !r.url.includes(':'))) {
    const res = await attacker.api.get(route.url)
    t.ok(res.statusCode < 500, `${route.url} answers`)
    for (const secret of ['victim customer', 'victim secret deal', 'Pat', ...victim.ids.filter((id) => id !== victim.partner.id)]) {
      t.notOk(res.body.includes(secret), `${route.url} does not show ${secret}`)
    }
  }
})
