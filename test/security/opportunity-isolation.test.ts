import t from 'tap'
import { Agent, buildTestApp } from '../helper.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { createStaffDeal, registrationForm } from '../fixtures/opportunities.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

/** A partner with a registered deal (and its note), a deal it accepted and an offer waiting for it. */
async function busyPartner(app: Awaited<ReturnType<typeof buildTestApp>>['app'], slug: string) {
  const partner = await createActivePartner(app, slug)
  const { accountId } = await createCustomer(app, partner.admin.id, `${slug} customer`, { domain: `${slug}-customer.example`, contact: 'Pat' })
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  const registered = await agent.post('/portal/opportunities', registrationForm(accountId, { name: `${slug} secret deal` }))
  const dealId = String(registered.headers.location).split('/').pop()!
  await agent.post(`/portal/opportunities/${dealId}/notes`, { body: `${slug} private note` })
  const { distribution, db } = app.diContainer.cradle
  const accepted = await createStaffDeal(app, { name: `${slug} accepted deal`, customer_website: `https://${slug}-lead.example` })
  await distribution.offer(accepted.staff, accepted.deal.id, partner.partner.id, 48)
  const firstOffer = await db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', accepted.deal.id).executeTakeFirstOrThrow()
  await agent.post(`/portal/opportunities/offers/${firstOffer.id}/accept`)
  const waiting = await createStaffDeal(app, { name: `${slug} offered deal`, customer_website: `https://${slug}-offer.example` })
  await distribution.offer(waiting.staff, waiting.deal.id, partner.partner.id, 48)
  const offers = await db.selectFrom('opportunity_offers').select('id').where('partner_id', '=', partner.partner.id).execute()
  return { ...partner, agent, ids: [...await idsOwnedBy(app, partner.partner.id), ...offers.map((o) => o.id), waiting.deal.id] }
}

t.test('every partner route with an id answers 404 for another partner’s deals, offers and customers', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await busyPartner(app, 'victim')
  const attacker = await busyPartner(app, 'attacker')
  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/portal') && r.url.includes(':'))
  t.ok(routes.some((r) => r.url.startsWith('/portal/opportunities/')), 'opportunity routes are among them')

  const before = await fingerprint(app)
  for (const route of routes) {
    for (const id of victim.ids) {
      const url = fill(route.url, id)
      const res = route.method === 'GET' ? await attacker.agent.get(url) : await attacker.agent.post(url, { body: 'x', reason: 'taking it', stage: 'close', actual_revenue: '1' })
      t.equal(res.statusCode, 404, `${route.method} ${url}`)
    }
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})

t.test('lists, board, offers and dashboard never show another partner’s deals', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await busyPartner(app, 'victim')
  const attacker = await busyPartner(app, 'attacker')
  const pages = app.routeCatalog.filter((r) => r.method === 'GET' && r.url.startsWith('/portal') && !r.url.includes(':'))
  for (const page of pages) {
    const res = await attacker.agent.get(`${page.url}${page.url === '/portal/opportunities/contact-options' ? `?account_id=${victim.ids[1]}` : ''}`)
    for (const secret of ['victim secret deal', 'victim accepted deal', 'victim offered deal', 'victim private note', 'victim customer', ...victim.ids]) {
      t.notOk(res.body.includes(secret), `${page.url} does not show ${secret}`)
    }
  }
  const search = await attacker.agent.get('/portal/opportunities?q=victim')
  t.match(search.body, /No deals match/)
})
