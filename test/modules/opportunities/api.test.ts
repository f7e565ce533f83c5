import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'

const registered = async (agent: Awaited<ReturnType<typeof partnerWithCustomer>>['agent'], accountId: string, name: string, extra: Record<string, string> = {}) => {
  const res = await agent.post('/portal/opportunities', registrationForm(accountId, { name, ...extra }))
  return String(res.headers.location).split('/').pop()!
}

t.test('opportunities: a page of the pipeline, newest activity first, with filters, and one deal whole', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const first = await registered(agent, accountId, 'Tills for Globex', { estimated_revenue: '25000.50' })
  await registered(agent, accountId, 'Scanners for Globex')
  const { accountId: other } = await createCustomer(app, acme.admin.id, 'Initech', { domain: 'initech.example' })
  await registered(agent, other, 'Initech rollout')
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)

  const page = await api.get('/api/v1/opportunities?limit=2')
  t.equal(page.statusCode, 200)
  t.same(page.json().items.map((o: { name: string }) => o.name), ['Initech rollout', 'Scanners for Globex'])
  const rest = await api.get(page.json().nextUrl)
  t.same(rest.json().items.map((o: { name: string }) => o.name), ['Tills for Globex'])
  t.match(rest.json().items[0], { estimatedRevenue: { amount: '25000.50', currency: 'USD' }, status: 'open', stage: 'qualify', sharedWithUs: false, expectedClose: /^\d{4}-\d{2}-\d{2}$/ })
  t.same((await api.get(`/api/v1/opportunities?accountId=${other}`)).json().items.map((o: { name: string }) => o.name), ['Initech rollout'])
  t.same((await api.get('/api/v1/opportunities?q=scanners')).json().items.map((o: { name: string }) => o.name), ['Scanners for Globex'])
  t.equal((await api.get('/api/v1/opportunities?status=won')).json().items.length, 0)
  t.equal((await api.get('/api/v1/opportunities?status=bogus')).statusCode, 400, 'an unknown status is an error, not ignored')

  const deal = await api.get(`/api/v1/opportunities/${first}`)
  t.equal(deal.statusCode, 200)
  t.match(deal.json(), { id: first, name: 'Tills for Globex', accountId, description: 'Forty tills.', expertise: ['Consulting'], actualRevenue: null, closedAt: null })
})

t.test('another partner’s deal or customer answers 404 in the API too', async (t) => {
  const { app } = await buildTestApp(t)
  const { accountId, agent } = await partnerWithCustomer(app)
  const deal = await registered(agent, accountId, 'Acme secret deal')
  const umbrella = await createActivePartner(app, 'umbrella')
  const api = new ApiClient(app, (await issueKey(app, umbrella.admin)).token)
  t.equal((await api.get(`/api/v1/opportunities/${deal}`)).statusCode, 404)
  t.equal((await api.get(`/api/v1/opportunities?accountId=${accountId}`)).statusCode, 404, 'filtering by another’s customer')
  t.notMatch((await api.get('/api/v1/opportunities')).body, /Acme secret deal/)
})

t.test('a deal is registered, changed, moved, noted and won through the API, once per Idempotency-Key', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId } = await partnerWithCustomer(app)
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  const body = { name: 'Tills', accountId, estimatedRevenue: { amount: '25000.00', currency: 'EUR' }, expectedClose: '2031-03-31', expertise: ['Consulting'] }
  const key = randomUUID()
  const created = await api.post('/api/v1/opportunities', body, { 'idempotency-key': key })
  t.equal(created.statusCode, 201)
  const deal = created.json()
  t.match(deal, { name: 'Tills', status: 'open', stage: 'qualify', estimatedRevenue: { amount: '25000.00', currency: 'EUR' }, expectedClose: '2031-03-31', accountId })
  t.equal(created.headers.location, `/api/v1/opportunities/${deal.id}`)
  const again = await api.post('/api/v1/opportunities', body, { 'idempotency-key': key })
  t.equal(again.statusCode, 200)
  t.equal(again.json().id, deal.id, 'the retry answers the first deal')

  const changed = await api.patch(`/api/v1/opportunities/${deal.id}`, { estimatedRevenue: { amount: '30000', currency: 'EUR' } })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { name: 'Tills', estimatedRevenue: { amount: '30000.00' }, expectedClose: '2031-03-31' }, 'only what was sent changed')
  t.match((await api.post(`/api/v1/opportunities/${deal.id}/stage`, { stage: 'propose' })).json(), { stage: 'propose' })
  t.equal((await api.post(`/api/v1/opportunities/${deal.id}/notes`, { body: 'Met the buyer.' })).statusCode, 204)
  const notes = await app.diContainer.cradle.db.selectFrom('opportunity_events').select('body').where('opportunity_id', '=', deal.id).where('kind', '=', 'note').execute()
  t.same(notes.map((n) => n.body), ['Met the buyer.'])
  const won = await api.post(`/api/v1/opportunities/${deal.id}/won`, { actualRevenue: '28000' })
  t.equal(won.statusCode, 200)
  t.match(won.json(), { status: 'won', actualRevenue: { amount: '28000.00', currency: 'EUR' }, closedAt: String })
  t.equal((await api.post(`/api/v1/opportunities/${deal.id}/lost`, { reason: 'Changed their mind' })).statusCode, 409, 'a closed deal cannot be lost')
})

t.test('bad deal input names each field and registers nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId } = await partnerWithCustomer(app)
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  const res = await api.post('/api/v1/opportunities', { name: 'X', accountId, estimatedRevenue: { amount: '12.345', currency: 'EUR' }, expectedClose: 'soon' })
  t.equal(res.statusCode, 422)
  t.same(res.json().errors.map((e: { pointer: string }) => e.pointer).sort(), ['/estimatedRevenue/amount', '/expectedClose'])
  const other = await createActivePartner(app, 'umbrella')
  const { accountId: theirs } = await createCustomer(app, other.admin.id, 'Their customer')
  const foreign = await api.post('/api/v1/opportunities', { name: 'Poach', accountId: theirs, estimatedRevenue: { amount: '1', currency: 'EUR' }, expectedClose: '2031-01-01' })
  t.equal(foreign.statusCode, 404, 'another partner’s customer is not there')
  t.equal((await app.diContainer.cradle.db.selectFrom('opportunities').select('id').execute()).length, 0)
})

t.test('offers are listed, accepted and rejected through the API by keys that may answer them', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { distribution, db } = app.diContainer.cradle
  const offer = async (name: string) => {
    const { deal, staff } = await createStaffDeal(app, { name, customer_website: `https://${name.toLowerCase().replace(/\W/g, '')}.example` })
    await distribution.offer(staff, deal.id, acme.partner.id, 48)
    return (await db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', deal.id).executeTakeFirstOrThrow()).id
  }
  const first = await offer('Hotel chain')
  const second = await offer('Bakery')
  const answering = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { acceptOffers: true, opportunities: { scope: 'company', create: true, edit: true } } })).token)
  const reading = new ApiClient(app, (await issueKey(app, acme.admin)).token)

  const inbox = await reading.get('/api/v1/offers')
  t.equal(inbox.statusCode, 200)
  t.same(inbox.json().items.map((o: { name: string }) => o.name).sort(), ['Bakery', 'Hotel chain'])
  t.equal((await reading.post(`/api/v1/offers/${first}/accept`, {})).statusCode, 403, 'a key without the permission may not answer')
  const accepted = await answering.post(`/api/v1/offers/${first}/accept`, {})
  t.equal(accepted.statusCode, 200)
  t.match(accepted.json(), { name: 'Hotel chain', status: 'open' })
  t.equal((await answering.post(`/api/v1/offers/${second}/reject`, { reason: 'No' })).statusCode, 422, 'a reason of five characters at least')
  t.equal((await answering.post(`/api/v1/offers/${second}/reject`, { reason: 'Outside our territory' })).statusCode, 204)
  t.same((await reading.get('/api/v1/offers')).json().items, [], 'nothing waits any more')
  t.equal((await answering.post(`/api/v1/offers/${second}/accept`, {})).statusCode, 409, 'an answered offer cannot be answered again')
})

t.test('a deal’s timeline pages through its history and notes, newest first, as the deal’s page shows them', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const deal = await registered(agent, accountId, 'Tills')
  const api = new ApiClient(app, (await issueKey(app, acme.admin, { name: 'CRM sync' })).token)
  for (const body of ['First call.', 'Second call.']) await api.post(`/api/v1/opportunities/${deal}/notes`, { body })
  await api.post(`/api/v1/opportunities/${deal}/stage`, { stage: 'propose' })
  const page = await api.get(`/api/v1/opportunities/${deal}/timeline?limit=2`)
  t.equal(page.statusCode, 200)
  t.match(page.json().items, [
    { kind: 'stage', body: 'Moved from qualify to propose.', actor: { id: acme.admin.id, name: 'API key “CRM sync”' }, at: /Z$/ },
    { kind: 'note', body: 'Second call.' }
  ])
  const rest = await api.get(page.json().nextUrl)
  t.same(rest.json().items.map((e: { kind: string; body: string }) => `${e.kind}: ${e.body}`), ['note: First call.', 'registered: Registered.'])
  t.equal(rest.json().next, null)

  const { deal: queued, staff } = await createStaffDeal(app, { name: 'Staff deal' })
  await app.diContainer.cradle.opportunities.staffNote(staff, queued.id, 'Internal: margin is thin.', true)
  await app.diContainer.cradle.distribution.offer(staff, queued.id, acme.partner.id, 48)
  const offered = await app.diContainer.cradle.db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', queued.id).executeTakeFirstOrThrow()
  const answering = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { acceptOffers: true, opportunities: { scope: 'company', create: true, edit: true } } })).token)
  await answering.post(`/api/v1/offers/${offered.id}/accept`, {})
  const theirs = await api.get(`/api/v1/opportunities/${queued.id}/timeline`)
  t.equal(theirs.statusCode, 200)
  t.notMatch(theirs.body, /margin is thin/, 'staff-only events stay with staff, as on the page')
  const umbrella = await createActivePartner(app, 'umbrella')
  const outsider = new ApiClient(app, (await issueKey(app, umbrella.admin)).token)
  t.equal((await outsider.get(`/api/v1/opportunities/${deal}/timeline`)).statusCode, 404, 'another partner’s deal')
})

t.test('a deal’s PATCH is versioned: a stale If-Match answers 412 and changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const deal = await registered(agent, accountId, 'Tills')
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  const read = await api.get(`/api/v1/opportunities/${deal}`)
  const etag = String(read.headers.etag)
  t.match(etag, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag')
  const first = await api.patch(`/api/v1/opportunities/${deal}`, { name: 'Tills, phase 1' }, { 'if-match': etag })
  t.equal(first.statusCode, 200)
  t.not(first.headers.etag, etag, 'a change makes a new version')
  const stale = await api.patch(`/api/v1/opportunities/${deal}`, { name: 'Tills, phase 2' }, { 'if-match': etag })
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { code: 'precondition_failed' })
  t.equal((await api.patch(`/api/v1/opportunities/${deal}`, { name: 'Tills, phase 2' }, { 'if-match': '"bm9wZQ"' })).statusCode, 412, 'a version that never was')
  await api.post(`/api/v1/opportunities/${deal}/notes`, { body: 'A note is a change too.' })
  t.equal((await api.patch(`/api/v1/opportunities/${deal}`, { name: 'Tills, phase 2' }, { 'if-match': String(first.headers.etag) })).statusCode, 412, 'a note since the read makes it stale')
  const stored = await app.diContainer.cradle.db.selectFrom('opportunities').select('name').where('id', '=', deal).executeTakeFirstOrThrow()
  t.equal(stored.name, 'Tills, phase 1', 'the stale writes changed nothing')
  const current = String((await api.get(`/api/v1/opportunities/${deal}`)).headers.etag)
  t.equal((await api.patch(`/api/v1/opportunities/${deal}`, { name: 'Tills, phase 2' }, { 'if-match': current })).statusCode, 200, 'the current version may')
})

t.test('an "own records" key reads only its issuer’s deals and their timelines; a read-only key may not change one', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const adminsDeal = await registered(agent, accountId, 'Admin’s deal')
  const ownPermissions = { opportunities: { scope: 'own' as const, create: true, edit: true }, customers: { scope: 'company' as const } }
  const mo = await createEmployee(app, acme.partner.id, 'mo@acme.example', ownPermissions)
  const own = new ApiClient(app, (await issueKey(app, { ...mo, role: 'admin' }, { permissions: ownPermissions })).token)
  const mine = await own.post('/api/v1/opportunities', { name: 'Mo’s deal', accountId, estimatedRevenue: { amount: '100', currency: 'USD' }, expectedClose: '2031-01-31' })
  t.equal(mine.statusCode, 201)
  t.same((await own.get('/api/v1/opportunities')).json().items.map((o: { name: string }) => o.name), ['Mo’s deal'])
  t.equal((await own.get(`/api/v1/opportunities/${mine.json().id}/timeline`)).statusCode, 200)
  t.equal((await own.get(`/api/v1/opportunities/${adminsDeal}/timeline`)).statusCode, 404, 'a colleague’s deal is not the key’s')
  t.equal((await own.patch(`/api/v1/opportunities/${adminsDeal}`, { name: 'Mine now' })).statusCode, 404)

  const readOnly = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { opportunities: { scope: 'company', create: false, edit: false } } })).token)
  const read = await readOnly.get(`/api/v1/opportunities/${adminsDeal}`)
  t.equal(read.statusCode, 200)
  t.equal((await readOnly.get(`/api/v1/opportunities/${adminsDeal}/timeline`)).statusCode, 200, 'it may read the timeline')
  t.equal((await readOnly.patch(`/api/v1/opportunities/${adminsDeal}`, { name: 'Renamed' }, { 'if-match': String(read.headers.etag) })).statusCode, 403)
  const stored = await app.diContainer.cradle.db.selectFrom('opportunities').select('name').where('id', '=', adminsDeal).executeTakeFirstOrThrow()
  t.equal(stored.name, 'Admin’s deal')
})
