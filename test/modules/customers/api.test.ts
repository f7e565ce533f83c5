import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'

async function setUp(t: Test) {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  return { app, acme, api }
}

t.test('customer accounts: create, read, list with filters and pages, change', async (t) => {
  const { app, acme, api } = await setUp(t)
  const created = await api.post('/api/v1/customers/accounts', { name: 'Initech', domain: 'initech.example', city: 'Austin', country: 'CA', postalCode: '73301' })
  t.equal(created.statusCode, 201)
  const account = created.json()
  t.equal(created.headers.location, `/api/v1/customers/accounts/${account.id}`)
  t.match(account, { name: 'Initech', domain: 'initech.example', postalCode: '73301', country: 'CA', owner: { id: acme.admin.id }, website: null })
  t.match(account.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'times are ISO 8601 UTC')

  t.same((await api.get(`/api/v1/customers/accounts/${account.id}`)).json(), account, 'read back as created')

  for (const name of ['Alpha', 'Bravo', 'Charlie']) await createCustomer(app, acme.admin.id, name, { city: 'Berlin' })
  const first = await api.get('/api/v1/customers/accounts?limit=2')
  t.equal(first.statusCode, 200)
  t.same(first.json().items.map((a: { name: string }) => a.name), ['Alpha', 'Bravo'])
  t.ok(first.json().next, 'a cursor to the next page')
  t.equal(first.json().nextUrl, `/api/v1/customers/accounts?limit=2&cursor=${first.json().next}`)
  const second = await api.get(first.json().nextUrl)
  t.same(second.json().items.map((a: { name: string }) => a.name), ['Charlie', 'Initech'])
  t.equal(second.json().next, null, 'the last page says so')
  t.same((await api.get('/api/v1/customers/accounts?q=berl')).json().items.map((a: { name: string }) => a.name), ['Alpha', 'Bravo', 'Charlie'], 'search, as on the page')
  t.same((await api.get('/api/v1/customers/accounts?country=CA')).json().items.map((a: { name: string }) => a.name), ['Initech'])
  t.equal((await api.get('/api/v1/customers/accounts?sort=newest')).json().items[0].name, 'Charlie')
  t.equal((await api.get('/api/v1/customers/accounts?cursor=garbage')).statusCode, 200, 'a tampered cursor starts from the top')

  const changed = await api.patch(`/api/v1/customers/accounts/${account.id}`, { city: 'Dallas', phone: '+1 555 0100' })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { name: 'Initech', domain: 'initech.example', city: 'Dallas', phone: '+1 555 0100', postalCode: '73301' }, 'only the fields sent change')
})

t.test('bad input is refused with a problem naming each field, and nothing is saved', async (t) => {
  const { app, api } = await setUp(t)
  const count = async () => (await app.diContainer.cradle.db.selectFrom('customer_accounts').select('id').execute()).length
  const missing = await api.post('/api/v1/customers/accounts', { domain: 'x.example' })
  t.equal(missing.statusCode, 422)
  t.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(missing.json(), { code: 'validation_failed', errors: [{ pointer: '/name' }] })
  const wrong = await api.post('/api/v1/customers/accounts', { name: 'Globex', domain: 'not a domain', country: 'XX' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json().errors, [{ pointer: '/domain', detail: /Domain must be a name like example.com/ }, { pointer: '/country' }], 'the service’s own checks, in API field names')
  t.equal((await api.post('/api/v1/customers/accounts', { name: 'Globex', colour: 'red' })).statusCode, 422, 'an unknown field is refused')
  t.equal((await api.post('/api/v1/customers/accounts', { name: 12 })).statusCode, 422, 'a number is not a name')
  const notJson = await app.inject({ method: 'POST', url: '/api/v1/customers/accounts', headers: { authorization: api.token ? `Bearer ${api.token}` : '', 'content-type': 'application/json' }, payload: '{"name":' })
  t.equal(notJson.statusCode, 400)
  t.match(notJson.json(), { code: 'bad_request' })
  t.equal(await count(), 0, 'nothing was created')
})

t.test('an Idempotency-Key makes a retried create answer the first result and create nothing more', async (t) => {
  const { app, api } = await setUp(t)
  const key = randomUUID()
  const [a, b] = await Promise.all([
    api.post('/api/v1/customers/accounts', { name: 'Hooli' }, { 'idempotency-key': key }),
    api.post('/api/v1/customers/accounts', { name: 'Hooli' }, { 'idempotency-key': key })
  ])
  t.same([a.statusCode, b.statusCode].sort(), [200, 201], 'one created, the other answered with it')
  t.equal(a.json().id, b.json().id)
  const again = await api.post('/api/v1/customers/accounts', { name: 'Hooli' }, { 'idempotency-key': key })
  t.equal(again.statusCode, 200)
  t.equal(again.json().id, a.json().id)
  t.equal((await app.diContainer.cradle.db.selectFrom('customer_accounts').select('id').where('name', '=', 'Hooli').execute()).length, 1)
  t.equal((await api.post('/api/v1/customers/accounts', { name: 'Hooli' }, { 'idempotency-key': 'not-a-uuid' })).statusCode, 400, 'the key is a UUID')
})

t.test('another partner’s account answers 404 and changes nothing; an "own records" key sees only its issuer’s', async (t) => {
  const { app, acme, api } = await setUp(t)
  const other = await createActivePartner(app, 'umbrella')
  const { accountId } = await createCustomer(app, other.admin.id, 'Umbrella Secret')
  t.equal((await api.get(`/api/v1/customers/accounts/${accountId}`)).statusCode, 404)
  t.equal((await api.patch(`/api/v1/customers/accounts/${accountId}`, { name: 'Hijacked' })).statusCode, 404)
  t.notMatch((await api.get('/api/v1/customers/accounts?q=secret')).body, /Umbrella/)
  const stored = await app.diContainer.cradle.db.selectFrom('customer_accounts').select('name').where('id', '=', accountId).executeTakeFirstOrThrow()
  t.equal(stored.name, 'Umbrella Secret')

  const mine = await createCustomer(app, acme.admin.id, 'Admin’s account')
  const mo = await createEmployee(app, acme.partner.id, 'mo@acme.example', { customers: { scope: 'own', create: true, edit: true } })
  await createCustomer(app, mo.id, 'Mo’s account')
  const ownKey = new ApiClient(app, (await issueKey(app, { ...mo, role: 'admin' }, { permissions: { customers: { scope: 'own', create: true, edit: true } } })).token)
  t.same((await ownKey.get('/api/v1/customers/accounts')).json().items.map((a: { name: string }) => a.name), ['Mo’s account'])
  t.equal((await ownKey.get(`/api/v1/customers/accounts/${mine.accountId}`)).statusCode, 404, 'a colleague’s record is not the key’s')
  const noCustomers = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { customers: { scope: 'none' } } })).token)
  t.equal((await noCustomers.get('/api/v1/customers/accounts')).statusCode, 404, 'no access to the area: 404, as on the pages')
  const readOnly = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { customers: { scope: 'company', create: false, edit: false } } })).token)
  t.equal((await readOnly.post('/api/v1/customers/accounts', { name: 'Nope' })).statusCode, 403, 'a key without create may not create')
})

t.test('updates are versioned: a stale If-Match answers 412 and changes nothing', async (t) => {
  const { app, api } = await setUp(t)
  const created = await api.post('/api/v1/customers/accounts', { name: 'Vandelay Industries' })
  const id = created.json().id
  const read = await api.get(`/api/v1/customers/accounts/${id}`)
  const etag = String(read.headers.etag)
  t.match(etag, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag')
  t.equal(created.headers.etag, etag, 'the create gave the same version')

  const first = await api.patch(`/api/v1/customers/accounts/${id}`, { city: 'New York' }, { 'if-match': etag })
  t.equal(first.statusCode, 200)
  t.not(first.headers.etag, etag, 'a change makes a new version')
  const stale = await api.patch(`/api/v1/customers/accounts/${id}`, { city: 'Newark' }, { 'if-match': etag })
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { code: 'precondition_failed', status: 412 })
  t.equal((await api.patch(`/api/v1/customers/accounts/${id}`, { city: 'Newark' }, { 'if-match': 'W/"nonsense' })).statusCode, 412, 'an ETag we never gave')
  const stored = await app.diContainer.cradle.db.selectFrom('customer_accounts').select('city').where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(stored.city, 'New York', 'the stale write changed nothing')
  t.equal((await api.patch(`/api/v1/customers/accounts/${id}`, { city: 'Newark' }, { 'if-match': String(first.headers.etag) })).statusCode, 200, 'the current version may')
  t.equal((await api.patch(`/api/v1/customers/accounts/${id}`, { city: 'Hoboken' }, { 'if-match': '*' })).statusCode, 200, '* matches any version')
})

t.test('one Idempotency-Key sent with a different request is refused', async (t) => {
  const { app, api } = await setUp(t)
  const key = randomUUID()
  t.equal((await api.post('/api/v1/customers/accounts', { name: 'Kramerica' }, { 'idempotency-key': key })).statusCode, 201)
  const other = await api.post('/api/v1/customers/accounts', { name: 'Pendant Publishing' }, { 'idempotency-key': key })
  t.equal(other.statusCode, 422)
  t.match(other.json(), { code: 'idempotency_key_reused' })
  t.equal((await app.diContainer.cradle.db.selectFrom('customer_accounts').select('id').where('name', '=', 'Pendant Publishing').execute()).length, 0)
})
