import t from 'tap'
import { Agent, buildTestApp } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { createStaffDeal, registrationForm } from '../fixtures/opportunities.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'
import { adminPermissions } from '../fixtures/permissions.ts'

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

t.test('the customer picker and the registration form reach only the caller’s customers; another’s id answers 404 and saves nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await createActivePartner(app, 'victim')
  const attacker = await createActivePartner(app, 'attacker')
  const theirs = await createCustomer(app, victim.admin.id, 'Umbrella victim', { domain: 'umbrella-victim.example', contact: 'Pat' })
  const mine = await createCustomer(app, attacker.admin.id, 'Umbrella attacker', { contact: 'Sam' })
  const own = await createEmployee(app, attacker.partner.id, 'own@attacker.example', {
    ...adminPermissions, customers: { scope: 'own', create: true, edit: true, delete: false }, opportunities: { scope: 'own', create: true, edit: true, delete: false }
  })
  const owned = await createCustomer(app, own.id, 'Umbrella own')
  const agent = new Agent(app)
  await agent.signIn(attacker.email, attacker.password)
  const ownAgent = new Agent(app)
  await ownAgent.signIn('own@attacker.example', partnerPassword)
  const htmx = { 'hx-request': 'true' }

  for (const url of ['/portal/opportunities/customer-options?q=umbrella', '/portal/opportunities/new?q=umbrella']) {
    const body = (await agent.get(url, htmx)).body
    t.ok(body.includes(mine.accountId) && body.includes(owned.accountId), `${url} lists the company’s customers`)
    t.notOk(body.includes(theirs.accountId) || body.includes('Umbrella victim'), `${url} never lists another partner’s`)
    const ownBody = (await ownAgent.get(url, htmx)).body
    t.ok(ownBody.includes(owned.accountId), `${url}: an "own records" user sees their own`)
    t.notOk(ownBody.includes(mine.accountId) || ownBody.includes(theirs.accountId), `${url}: and nobody else’s`)
  }
  for (const url of [
    `/portal/opportunities/customer-options?account_id=${theirs.accountId}`, `/portal/opportunities/new?account=${theirs.accountId}`,
    `/portal/opportunities/contact-options?account_id=${theirs.accountId}`
  ]) {
    const res = await agent.get(url, htmx)
    t.equal(res.statusCode, 404, url)
    t.notOk(res.body.includes('Pat of Umbrella victim'), `${url} shows none of its contacts`)
  }
  t.equal((await ownAgent.get(`/portal/opportunities/new?account=${mine.accountId}`)).statusCode, 404, 'nor a colleague’s, for an "own records" user')

  const before = await fingerprint(app)
  const posts: Array<[Agent, Record<string, string>, string]> = [
    [agent, { account_id: theirs.accountId }, 'another partner’s customer'],
    [agent, { account_id: theirs.accountId, name: '' }, 'another partner’s customer, with another field wrong too'],
    [agent, { contact_id: theirs.contactId! }, 'another partner’s contact'],
    [agent, { contact_id: theirs.contactId!, name: '' }, 'another partner’s contact, with another field wrong too'],
    [ownAgent, { account_id: mine.accountId }, 'a colleague’s customer, for an "own records" user'],
    [ownAgent, { account_id: owned.accountId, contact_id: mine.contactId! }, 'a colleague’s contact, for an "own records" user']
  ]
  for (const [who, change, what] of posts) {
    const res = await who.post('/portal/opportunities', registrationForm(mine.accountId, change))
    t.equal(res.statusCode, 404, what)
    t.notOk(res.body.includes('Umbrella victim'), `${what}: nothing about it shows`)
  }
  for (const [change, message] of [[{ account_id: 'nope' }, /Choose one of your customers/], [{ account_id: '' }, /Choose one of your customers/], [{ contact_id: 'nope' }, /Choose a contact of that customer/],
    [{ contact_id: '-'.repeat(36) }, /Choose a contact of that customer/], [{ contact_id: '0'.repeat(36) }, /Choose a contact of that customer/]] as const) {
    const res = await agent.post('/portal/opportunities', registrationForm(mine.accountId, change))
    t.equal(res.statusCode, 422, `malformed: ${JSON.stringify(change)}`)
    t.match(res.body, message)
  }
  t.same(await fingerprint(app), before, 'nothing was saved')
})
