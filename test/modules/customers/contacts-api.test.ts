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
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  return { app, acme, api, accountId }
}

const names = (res: { json(): { items: Array<{ lastName: string }> } }) => res.json().items.map((c) => c.lastName)

t.test('contacts: create, read, list by last name in pages, overall and per account, search, change', async (t) => {
  const { app, acme, api, accountId } = await setUp(t)
  const created = await api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio', email: 'hank@globex.example', accountId })
  t.equal(created.statusCode, 201)
  const hank = created.json()
  t.equal(created.headers.location, `/api/v1/customers/contacts/${hank.id}`)
  t.match(hank, { firstName: 'Hank', lastName: 'Scorpio', email: 'hank@globex.example', phone: null, account: { id: accountId, name: 'Globex' }, owner: { id: acme.admin.id } })
  t.match(hank.createdAt, /Z$/, 'times in UTC')
  const read = await api.get(`/api/v1/customers/contacts/${hank.id}`)
  t.same(read.json(), hank)
  t.equal(read.headers.etag, created.headers.etag, 'the create and the read name one version')

  const loose = await api.post('/api/v1/customers/contacts', { firstName: 'Lone', lastName: 'Adams' })
  t.match(loose.json(), { account: null }, 'a contact without an account')
  await api.post('/api/v1/customers/contacts', { firstName: 'Marge', lastName: 'Bouvier', accountId })
  const first = await api.get('/api/v1/customers/contacts?limit=2')
  t.same(names(first), ['Adams', 'Bouvier'])
  const second = await api.get(first.json().nextUrl)
  t.same(names(second), ['Scorpio'])
  t.equal(second.json().next, null)
  t.same(names(await api.get(`/api/v1/customers/accounts/${accountId}/contacts`)), ['Bouvier', 'Scorpio'], 'an account’s own contacts')
  const perAccount = await api.get(`/api/v1/customers/accounts/${accountId}/contacts?limit=1`)
  t.same(names(perAccount), ['Bouvier'])
  t.same(names(await api.get(perAccount.json().nextUrl)), ['Scorpio'], 'paged with the account kept')
  t.same(names(await api.get('/api/v1/customers/contacts?q=globex.example')), ['Scorpio'], 'search, as on the page')

  const moved = await api.patch(`/api/v1/customers/contacts/${hank.id}`, { jobTitle: 'CEO', accountId: null })
  t.equal(moved.statusCode, 200)
  t.match(moved.json(), { firstName: 'Hank', email: 'hank@globex.example', jobTitle: 'CEO', account: null }, 'only what was sent changed')
  const back = await api.patch(`/api/v1/customers/contacts/${hank.id}`, { accountId })
  t.match(back.json(), { jobTitle: 'CEO', account: { id: accountId } })
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select('actor_name').where('entity_id', '=', hank.id).where('action', '=', 'contact.updated').execute()
  t.same(audit.map((a) => a.actor_name), ['API key “Test integration”', 'API key “Test integration”'], 'audited with the key’s name')
})

t.test('bad contact input names each field and saves nothing', async (t) => {
  const { app, api, accountId } = await setUp(t)
  const count = async () => (await app.diContainer.cradle.db.selectFrom('customer_contacts').select('id').execute()).length
  const missing = await api.post('/api/v1/customers/contacts', { firstName: 'Only' })
  t.equal(missing.statusCode, 422)
  t.match(missing.json(), { code: 'validation_failed', errors: [{ pointer: '/lastName' }] })
  const wrong = await api.post('/api/v1/customers/contacts', { firstName: 'Ann', lastName: 'Other', email: 'not an address' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json().errors, [{ pointer: '/email' }], 'the service’s own check, in the API’s field name')
  t.equal((await api.post('/api/v1/customers/contacts', { firstName: 'Ann', lastName: 'Other', shoeSize: 9 })).statusCode, 422, 'an unknown field')
  const elsewhere = await createActivePartner(app, 'umbrella')
  const { accountId: theirs } = await createCustomer(app, elsewhere.admin.id, 'Umbrella')
  t.equal((await api.post('/api/v1/customers/contacts', { firstName: 'Ann', lastName: 'Other', accountId: theirs })).statusCode, 404, 'another partner’s account is not there')
  t.equal(await count(), 0)
  const hank = (await api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio', accountId })).json()
  const blank = await api.patch(`/api/v1/customers/contacts/${hank.id}`, { lastName: '' })
  t.equal(blank.statusCode, 422)
  t.equal((await api.get(`/api/v1/customers/contacts/${hank.id}`)).json().lastName, 'Scorpio', 'the refused change changed nothing')
})

t.test('an Idempotency-Key creates one contact; the same key with another body is refused', async (t) => {
  const { app, api } = await setUp(t)
  const key = randomUUID()
  const [a, b] = await Promise.all([
    api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio' }, { 'idempotency-key': key }),
    api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio' }, { 'idempotency-key': key })
  ])
  t.same([a.statusCode, b.statusCode].sort(), [200, 201])
  t.equal(a.json().id, b.json().id)
  const other = await api.post('/api/v1/customers/contacts', { firstName: 'Marge', lastName: 'Bouvier' }, { 'idempotency-key': key })
  t.equal(other.statusCode, 422)
  t.match(other.json(), { code: 'idempotency_key_reused' })
  t.equal((await app.diContainer.cradle.db.selectFrom('customer_contacts').select('id').execute()).length, 1)
})

t.test('a stale If-Match answers 412 and changes nothing', async (t) => {
  const { app, api } = await setUp(t)
  const created = await api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio' })
  const id = created.json().id
  const etag = String(created.headers.etag)
  t.match(etag, /^"[A-Za-z0-9_-]+"$/)
  const first = await api.patch(`/api/v1/customers/contacts/${id}`, { phone: '+1 555 0100' }, { 'if-match': etag })
  t.equal(first.statusCode, 200)
  t.not(first.headers.etag, etag, 'a change makes a new version')
  const stale = await api.patch(`/api/v1/customers/contacts/${id}`, { phone: '+1 555 0199' }, { 'if-match': etag })
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { code: 'precondition_failed' })
  const stored = await app.diContainer.cradle.db.selectFrom('customer_contacts').select('phone').where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(stored.phone, '+1 555 0100')
  t.equal((await api.patch(`/api/v1/customers/contacts/${id}`, { phone: '+1 555 0199' }, { 'if-match': String(first.headers.etag) })).statusCode, 200)
})

t.test('another partner’s contacts answer 404; an "own records" key sees its issuer’s; a read-only key may not write', async (t) => {
  const { app, acme, api, accountId } = await setUp(t)
  const umbrella = await createActivePartner(app, 'umbrella')
  const theirs = await createCustomer(app, umbrella.admin.id, 'Umbrella', { contact: 'Albert' })
  t.equal((await api.get(`/api/v1/customers/contacts/${theirs.contactId}`)).statusCode, 404)
  t.equal((await api.patch(`/api/v1/customers/contacts/${theirs.contactId}`, { firstName: 'Hijacked' })).statusCode, 404)
  t.equal((await api.get(`/api/v1/customers/accounts/${theirs.accountId}/contacts`)).statusCode, 404)
  t.notMatch((await api.get('/api/v1/customers/contacts')).body, /Albert/)

  await createCustomer(app, acme.admin.id, 'Admin’s', { contact: 'Adam' })
  const mo = await createEmployee(app, acme.partner.id, 'mo@acme.example', { customers: { scope: 'own', create: true, edit: true } })
  await createCustomer(app, mo.id, 'Mo’s', { contact: 'Moe' })
  const own = new ApiClient(app, (await issueKey(app, { ...mo, role: 'admin' }, { permissions: { customers: { scope: 'own', create: true, edit: true } } })).token)
  t.same((await own.get('/api/v1/customers/contacts')).json().items.map((c: { firstName: string }) => c.firstName), ['Moe'])
  t.equal((await own.get(`/api/v1/customers/accounts/${accountId}/contacts`)).statusCode, 404, 'a colleague’s account is not the key’s')

  const readOnly = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: { customers: { scope: 'company', create: false, edit: false } } })).token)
  const hank = (await api.post('/api/v1/customers/contacts', { firstName: 'Hank', lastName: 'Scorpio' })).json()
  t.equal((await readOnly.get(`/api/v1/customers/contacts/${hank.id}`)).statusCode, 200, 'it may read')
  t.equal((await readOnly.post('/api/v1/customers/contacts', { firstName: 'No', lastName: 'Way' })).statusCode, 403)
  t.equal((await readOnly.patch(`/api/v1/customers/contacts/${hank.id}`, { firstName: 'Nope' })).statusCode, 403)
  t.equal((await app.diContainer.cradle.db.selectFrom('customer_contacts').select('first_name').where('id', '=', hank.id).executeTakeFirstOrThrow()).first_name, 'Hank')
})
