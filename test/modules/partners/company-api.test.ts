import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'
import { ApiClient, everything, issueKey } from '../../fixtures/api.ts'

async function setUp(t: Test) {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const admin = new ApiClient(app, (await issueKey(app, acme.admin, { name: 'HR sync', permissions: everything(app) })).token)
  return { app, acme, admin }
}

t.test('every key reads its company; a key that may do everything, of a partner admin, changes it', async (t) => {
  const { app, acme, admin } = await setUp(t)
  const reader = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { customers: { scope: 'own' } } })).token)
  const company = await reader.get('/api/v1/company')
  t.equal(company.statusCode, 200)
  t.match(company.json(), { id: acme.partner.id, name: 'acme Ltd', status: 'active', level: { name: String }, country: 'US', territories: ['US'], listed: Boolean, approvedAt: /Z$/ })
  t.notOk('capacity' in company.json(), 'what the staff see stays with them')

  t.equal((await reader.patch('/api/v1/company', { city: 'Nowhere' })).statusCode, 403, 'a narrower key is not a partner admin')
  t.match((await reader.get('/api/v1/me')).json(), { role: 'member' })
  t.match((await admin.get('/api/v1/me')).json(), { role: 'admin' }, '/me says which it is')
  const changed = await admin.patch('/api/v1/company', { city: 'Springfield West', listed: true, summary: 'Tills and scanners.', territories: ['US', 'CA'] })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { name: 'acme Ltd', city: 'Springfield West', listed: true, summary: 'Tills and scanners.', territories: ['US', 'CA'], website: 'https://acme.example' }, 'only what was sent changed')
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select('actor_name').where('action', '=', 'partner.profile-updated').execute()
  t.same(audit.map((a) => a.actor_name), ['API key “HR sync”'])

  const bad = await admin.patch('/api/v1/company', { country: 'XX', expertise: ['Alchemy'] })
  t.equal(bad.statusCode, 422)
  t.same(bad.json().errors.map((e: { pointer: string }) => e.pointer).sort(), ['/country'])
  const badExpertise = await admin.patch('/api/v1/company', { expertise: ['Alchemy'] })
  t.match(badExpertise.json(), { status: 422, errors: [{ pointer: '/expertise', detail: 'Choose expertise from the list.' }] })
  t.equal((await admin.patch('/api/v1/company', { status: 'active' })).statusCode, 422, 'an unknown field')
  t.match((await admin.patch('/api/v1/company', { name: '   ' })).json(), { status: 422, errors: [{ pointer: '/name' }] }, 'the form’s check, at the API’s field')
  t.equal((await reader.get('/api/v1/company')).json().city, 'Springfield West', 'the refused changes changed nothing')

  const member = await createEmployee(app, acme.partner.id, 'mo@acme.example', everything(app))
  const membersKey = new ApiClient(app, (await issueKey(app, member, { permissions: everything(app) })).token)
  t.equal((await membersKey.patch('/api/v1/company', { city: 'X' })).statusCode, 403, 'a member’s key is not a partner admin’s, whatever it holds')
})

t.test('the team: pages by name, one person, invitations once per Idempotency-Key, removal and restoring', async (t) => {
  const { app, acme, admin } = await setUp(t)
  const { db } = app.diContainer.cradle
  await createEmployee(app, acme.partner.id, 'bea@acme.example', { customers: { scope: 'own', create: true, edit: false } })
  await createEmployee(app, acme.partner.id, 'cid@acme.example')
  const first = await admin.get('/api/v1/team?limit=2')
  t.equal(first.statusCode, 200)
  t.same(first.json().items.map((p: { name: string }) => p.name), ['acme Admin', 'bea'])
  t.match(first.json().items, [{ role: 'admin', status: 'active', email: 'admin@acme.example' }, { role: 'member', permissions: { customers: { scope: 'own', create: true, edit: false } } }])
  const second = await admin.get(first.json().nextUrl)
  t.same(second.json().items.map((p: { name: string }) => p.name), ['cid'])
  t.equal(second.json().next, null)

  const key = randomUUID()
  const invitation = { name: 'Dee Newcomer', email: 'dee@acme.example', jobTitle: 'Sales', permissions: { opportunities: { scope: 'own', create: true }, acceptOffers: true } }
  const [a, b] = await Promise.all([admin.post('/api/v1/team', invitation, { 'idempotency-key': key }), admin.post('/api/v1/team', invitation, { 'idempotency-key': key })])
  t.same([a.statusCode, b.statusCode].sort(), [200, 201], 'one invitation, the other answered with it')
  const dee = a.json()
  t.equal(b.json().id, dee.id)
  t.match(dee, { name: 'Dee Newcomer', status: 'invited', role: 'member', jobTitle: 'Sales', permissions: { opportunities: { scope: 'own', create: true }, acceptOffers: true } })
  t.equal(a.headers.location ?? b.headers.location, `/api/v1/team/${dee.id}`)
  t.same((await admin.get(`/api/v1/team/${dee.id}`)).json(), dee)
  const mails = await db.selectFrom('mail_outbox').select('to_address').where('to_address', '=', 'dee@acme.example').execute()
  t.equal(mails.length, 1, 'one invitation e-mail')

  const bad = await admin.post('/api/v1/team', { name: '', email: 'not an address' })
  t.equal(bad.statusCode, 422)
  t.equal((await admin.post('/api/v1/team', { name: 'Eve', email: 'eve@acme.example', permissions: { customers: { scope: 'everything' } } })).statusCode, 422, 'a scope that does not exist')
  t.equal((await admin.post('/api/v1/team', { name: 'Eve', email: 'eve@acme.example', permissions: { spaceships: { scope: 'own' } } })).statusCode, 422, 'an area that does not exist')
  const taken = await admin.post('/api/v1/team', { name: 'Bea again', email: 'bea@acme.example' })
  t.match(taken.json(), { status: 422, errors: [{ pointer: '/email', detail: 'bea@acme.example already has an account.' }] }, 'an e-mail that has an account already')
  t.equal((await db.selectFrom('users').select('id').where('partner_id', '=', acme.partner.id).execute()).length, 4, 'no one else was added')

  const removed = await admin.post(`/api/v1/team/${dee.id}/remove`, {})
  t.equal(removed.statusCode, 200)
  t.match(removed.json(), { status: 'deactivated' })
  t.match((await admin.post(`/api/v1/team/${dee.id}/restore`, {})).json(), { status: 'invited' })
  const self = await admin.post(`/api/v1/team/${acme.admin.id}/remove`, {})
  t.equal(self.statusCode, 409, 'a key cannot remove its own issuer')

  const narrow = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { customers: { scope: 'company', create: true, edit: true } } })).token)
  t.equal((await narrow.get('/api/v1/team')).statusCode, 403, 'the team is for partner admins, as its page')
  t.equal((await narrow.post('/api/v1/team', { name: 'Sneaky', email: 'sneaky@acme.example', permissions: everything(app) })).statusCode, 403, 'a narrower key cannot invite someone wider than itself')
  t.equal((await narrow.post(`/api/v1/team/${dee.id}/remove`, {})).statusCode, 403)
})

t.test('another company’s people are not there; a key loses its admin power with its issuer', async (t) => {
  const { app, acme, admin } = await setUp(t)
  const umbrella = await createActivePartner(app, 'umbrella')
  t.equal((await admin.get(`/api/v1/team/${umbrella.admin.id}`)).statusCode, 404)
  t.equal((await admin.post(`/api/v1/team/${umbrella.admin.id}/remove`, {})).statusCode, 404)
  t.notMatch((await admin.get('/api/v1/team')).body, /umbrella/)
  t.equal((await app.diContainer.cradle.db.selectFrom('users').select('status').where('id', '=', umbrella.admin.id).executeTakeFirstOrThrow()).status, 'active')

  const { partnerUsers } = app.diContainer.cradle
  const other = await createEmployee(app, acme.partner.id, 'other@acme.example')
  await partnerUsers.setRole({ id: acme.admin.id, name: 'x' }, acme.partner.id, other.id, 'admin')
  await partnerUsers.setRole({ id: other.id, name: 'x' }, acme.partner.id, acme.admin.id, 'member')
  t.equal((await admin.get('/api/v1/team')).statusCode, 403, 'its issuer is no longer a partner admin: nor is the key')
  t.equal((await admin.get('/api/v1/company')).statusCode, 200, 'it still reads the company')
})
