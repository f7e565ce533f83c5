import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, createUser } from '../../helper.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'
import { partnerWithDeal, staffAgent } from '../../fixtures/cases.ts'

t.test('cases in the API: a partner key opens, lists, reads and replies within its reach, and never reads an internal note; a staff key does', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const other = await partnerWithDeal(app, 'other')
  const api = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  const otherApi = new ApiClient(app, (await issueKey(app, other.admin)).token)

  const key = randomUUID()
  const body = { subject: 'Keys fail', description: 'Error **42**.', type: 'problem', priority: 'high', opportunityId: acme.dealId, accountId: acme.accountId }
  const created = await api.post('/api/v1/cases', body, { 'idempotency-key': key })
  t.equal(created.statusCode, 201, created.body)
  const c = created.json()
  t.match(c, { subject: 'Keys fail', number: /^CASE-\d+$/, status: 'new', opportunity: { id: acme.dealId, name: 'acme deal' }, account: { id: acme.accountId }, openedBy: { id: acme.admin.id } })
  t.equal(created.headers.location, `/api/v1/cases/${c.id}`)
  const again = await api.post('/api/v1/cases', body, { 'idempotency-key': key })
  t.equal(again.statusCode, 200, 'the same key answers the first case')
  t.equal(again.json().id, c.id)
  t.equal((await db.selectFrom('cases').select('id').execute()).length, 1)

  for (const wrong of [{ opportunityId: other.dealId }, { accountId: other.accountId }]) {
    const res = await api.post('/api/v1/cases', { ...body, ...wrong })
    t.equal(res.statusCode, 404, `another partner’s ${Object.keys(wrong)[0]}`)
  }
  t.equal((await api.post('/api/v1/cases', { ...body, subject: '' })).statusCode, 422)
  t.equal((await db.selectFrom('cases').select('id').execute()).length, 1, 'nothing else was saved')

  const desk = await staffAgent(app)
  await desk.agent.post(`/admin/cases/${c.id}/notes`, { note: 'API-SECRET-NOTE' })
  await desk.agent.post(`/admin/cases/${c.id}/replies`, { body: 'Try the new keys.', next_status: '' })
  t.equal((await api.post(`/api/v1/cases/${c.id}/replies`, { body: 'They work.' })).statusCode, 201)
  const replies = await api.get(`/api/v1/cases/${c.id}/replies`)
  t.same(replies.json().items.map((r: { body: string; internal: boolean }) => [r.body, r.internal]), [['Try the new keys.', false], ['They work.', false]], 'public replies only')
  t.notMatch(replies.body, 'API-SECRET-NOTE')
  t.notMatch((await api.get(`/api/v1/cases/${c.id}`)).body, 'API-SECRET-NOTE')
  t.match((await api.get('/api/v1/cases')).json(), { items: [{ id: c.id, status: 'open' }] })

  for (const url of [`/api/v1/cases/${c.id}`, `/api/v1/cases/${c.id}/replies`]) t.equal((await otherApi.get(url)).statusCode, 404, `another partner: ${url}`)
  t.equal((await otherApi.post(`/api/v1/cases/${c.id}/replies`, { body: 'x' })).statusCode, 404)
  t.same((await otherApi.get('/api/v1/cases')).json().items, [])
  t.equal((await api.get(`/api/v1/desk/cases/${c.id}`)).statusCode, 403, 'a partner key on a staff route')

  const staffUser = await createUser(app, { email: 'api-staff@staff.example', role: 'admin' })
  const staffApi = new ApiClient(app, (await issueKey(app, staffUser)).token)
  const all = await staffApi.get(`/api/v1/desk/cases/${c.id}/replies`)
  t.match(all.json().items.map((r: { body: string; internal: boolean }) => [r.body, r.internal]), [['API-SECRET-NOTE', true], ['Try the new keys.', false], ['They work.', false]], 'a staff key reads the note, marked')
  t.equal((await staffApi.post(`/api/v1/desk/cases/${c.id}/replies`, { body: 'Second note', internal: true })).statusCode, 201)
  t.notMatch((await api.get(`/api/v1/cases/${c.id}/replies`)).body, 'Second note')
})
