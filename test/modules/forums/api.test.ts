import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator } from '../../fixtures/forums.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'

t.test('the API lists the forums, threads and posts of the key’s audience, and starts threads and replies as its issuer', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const { forums: [lounge, news, secret] } = await createForums(app, staff, 'Community', [
    { name: 'Lounge', allowHiddenCompany: true }, { name: 'News', posting: 'staff' }, { name: 'South room', audience: 'companies', partnerIds: [south.partner.id] }
  ])
  const northApi = new ApiClient(app, (await issueKey(app, north.admin)).token)
  const southApi = new ApiClient(app, (await issueKey(app, south.admin)).token)

  const forums = await northApi.get('/api/v1/forums')
  t.equal(forums.statusCode, 200)
  t.same(forums.json().items.map((f: { name: string }) => f.name), ['Lounge', 'News'], 'only the forums the key may read')
  t.equal((await northApi.get(`/api/v1/forums/${secret!.id}/threads`)).statusCode, 404)

  const bad = await northApi.post(`/api/v1/forums/${lounge!.id}/threads`, { kind: 'question', title: 'Hi', body: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.json(), { errors: [] })
  const key = randomUUID()
  const input = { kind: 'question', title: 'API question about renewals', body: 'Asked through the **API**.', hideCompany: true }
  const created = await northApi.post(`/api/v1/forums/${lounge!.id}/threads`, input, { 'idempotency-key': key })
  t.equal(created.statusCode, 201)
  const threadId = created.json().id
  t.equal(created.headers.location, `/api/v1/threads/${threadId}`)
  const again = await northApi.post(`/api/v1/forums/${lounge!.id}/threads`, input, { 'idempotency-key': key })
  t.equal(again.statusCode, 200, 'a repeat creates nothing more')
  t.equal(again.json().id, threadId)
  t.equal((await northApi.post(`/api/v1/forums/${news!.id}/threads`, { kind: 'discussion', title: 'Not allowed here', body: 'x' })).statusCode, 403, 'staff-only forum')
  t.equal((await northApi.post(`/api/v1/forums/${secret!.id}/threads`, { kind: 'discussion', title: 'Not even seen', body: 'x' })).statusCode, 404)

  const replied = await southApi.post(`/api/v1/threads/${threadId}/posts`, { body: 'Answered through the API.' })
  t.equal(replied.statusCode, 201)
  t.match(replied.json(), { number: 2, author: { name: 'south Admin', staff: false, company: 'south Ltd' }, markdown: 'Answered through the API.' })

  const threads = await southApi.get(`/api/v1/forums/${lounge!.id}/threads`)
  t.same(threads.json().items.map((x: { title: string; posts: number }) => [x.title, x.posts]), [['API question about renewals', 2]])
  const posts = await southApi.get(`/api/v1/threads/${threadId}/posts`)
  t.equal(posts.statusCode, 200)
  t.match(posts.json().items[0], { number: 1, author: { name: 'north Admin', company: null }, html: /<strong>API<\/strong>/ })
  t.notOk(posts.body.includes('north Ltd'), 'a hidden company never reaches another partner through the API')
  t.equal((await northApi.get(`/api/v1/threads/${threadId}/posts`)).json().items[0].author.company, 'north Ltd', 'the author’s own company sees it')
  t.equal((await northApi.get(`/api/v1/threads/${randomUUID()}/posts`)).statusCode, 404)
})
