import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'
import { ApiClient, everything, issueKey } from '../../fixtures/api.ts'

async function setUp(t: Test) {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme', { territories: ['US'] })
  const globex = await createActivePartner(app, 'globex', { territories: ['US'], expertise: [] })
  const boss = await createUser(app, { email: 'boss@staff.example', role: 'admin' })
  const staff = new ApiClient(app, (await issueKey(app, boss, { name: 'Channel tool' })).token)
  const { deal } = await createStaffDeal(app, { name: 'Retail chain', territory: 'US' })
  return { app, acme, globex, staff, deal }
}

t.test('staff keys see the channel, the ranking of a queued deal with its reasons, a page at a time', async (t) => {
  const { app, acme, globex, staff, deal } = await setUp(t)
  const queue = await staff.get('/api/v1/channel/opportunities?status=queued')
  t.equal(queue.statusCode, 200)
  t.match(queue.json().items, [{ id: deal.id, name: 'Retail chain', status: 'queued', source: 'staff', partner: null, estimatedRevenue: { amount: '120000.00', currency: 'USD' } }])
  t.same((await staff.get('/api/v1/channel/opportunities?status=won')).json().items, [], 'filtered as on the page')

  const ranking = await staff.get(`/api/v1/channel/opportunities/${deal.id}/ranking`)
  t.equal(ranking.statusCode, 200)
  const items = ranking.json().items
  t.same(items.map((r: { partner: { id: string } }) => r.partner.id), [acme.partner.id, globex.partner.id], 'the partner with the expertise first')
  t.match(items[0], { eligible: true, offeredBefore: false, partner: { name: 'acme Ltd' }, reasons: [{ factor: 'territory', points: Number, note: String }] })
  t.ok(!items[1].eligible || items[1].score < items[0].score, 'the other after it')
  const first = await staff.get(`/api/v1/channel/opportunities/${deal.id}/ranking?limit=1`)
  t.same(first.json().items.map((r: { partner: { id: string } }) => r.partner.id), [acme.partner.id])
  const second = await staff.get(first.json().nextUrl)
  t.same(second.json().items.map((r: { partner: { id: string } }) => r.partner.id), [globex.partner.id])
  t.equal(second.json().next, null)

  const partnerKey = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: everything(app) })).token)
  for (const url of ['/api/v1/channel/opportunities', `/api/v1/channel/opportunities/${deal.id}/ranking`, `/api/v1/channel/opportunities/${deal.id}/offers`]) {
    t.equal((await partnerKey.get(url)).statusCode, 403, `${url}: staff only`)
  }
  t.equal((await partnerKey.post(`/api/v1/channel/opportunities/${deal.id}/offers`, { partnerId: acme.partner.id })).statusCode, 403)
  t.equal((await staff.get(`/api/v1/channel/opportunities/${randomUUID()}/ranking`)).statusCode, 404)
})

t.test('staff keys offer a queued deal once per Idempotency-Key; bad offers are refused and change nothing', async (t) => {
  const { app, acme, staff, deal } = await setUp(t)
  const { db } = app.diContainer.cradle
  const offers = async () => (await db.selectFrom('opportunity_offers').select('id').execute()).length
  const url = `/api/v1/channel/opportunities/${deal.id}/offers`
  t.match((await staff.post(url, { partnerId: acme.partner.id, hours: 0 })).json(), { status: 422, errors: [{ pointer: '/hours' }] })
  t.match((await staff.post(url, { partnerId: randomUUID() })).json(), { status: 422, errors: [{ pointer: '/partnerId', detail: 'Choose an active partner.' }] })
  t.equal((await staff.post(url, {})).statusCode, 422)
  t.equal(await offers(), 0)

  const key = randomUUID()
  const [a, b] = await Promise.all([
    staff.post(url, { partnerId: acme.partner.id, hours: 24 }, { 'idempotency-key': key }),
    staff.post(url, { partnerId: acme.partner.id, hours: 24 }, { 'idempotency-key': key })
  ])
  t.same([a.statusCode, b.statusCode].sort(), [200, 201], 'one offered, the other answered with it')
  const offer = a.json()
  t.equal(b.json().id, offer.id)
  t.match(offer, { opportunityId: deal.id, partner: { id: acme.partner.id, name: 'acme Ltd' }, status: 'pending', reasons: Array, answeredAt: null })
  t.ok(Math.abs(Date.parse(offer.deadline) - Date.now() - 24 * 3_600_000) < 60_000, 'the deadline is 24 hours away')
  t.equal(a.headers.location ?? b.headers.location, `${url}/${offer.id}`)
  t.same((await staff.get(`${url}/${offer.id}`)).json(), offer, 'the offer, read back')
  t.same((await staff.get(url)).json().items.map((o: { id: string }) => o.id), [offer.id])
  t.equal(await offers(), 1)

  const twice = await staff.post(url, { partnerId: acme.partner.id })
  t.equal(twice.statusCode, 409, 'an offered deal is no longer in the queue')
  t.equal((await staff.get(`/api/v1/channel/opportunities/${deal.id}/ranking`)).statusCode, 409)
  t.equal((await staff.get(`${url}/${randomUUID()}`)).statusCode, 404)
  const audit = await db.selectFrom('audit_log').select('actor_name').where('action', '=', 'opportunity.offered').where('entity_id', '=', deal.id).execute()
  t.same(audit.map((e) => e.actor_name), ['API key “Channel tool”'])
})
