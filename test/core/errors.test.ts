import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
await createUser(app, { email: 'admin@example.com', role: 'admin' })
const admin = new Agent(app)
await admin.signIn('admin@example.com', 'correct-horse-battery')

t.test('an unknown page answers 404 with an HTML page', async (t) => {
  const res = await app.inject('/no/such/page')
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, /<html/)
  t.match(res.body, /There is nothing at this address/)
})

t.test('an unknown /api/ path answers 404 with a problem document', async (t) => {
  const res = await app.inject('/api/v1/no-such-thing')
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { type: 'about:blank', status: 404, title: 'Not found', code: 'not_found', detail: String })
})

t.test('a malformed or unknown id answers 404, the same as a missing record', async (t) => {
  for (const url of ['/admin/staff/not-a-uuid', `/admin/staff/${crypto.randomUUID()}`, '/admin/outbox/1', `/admin/outbox/${crypto.randomUUID()}`]) {
    const res = await admin.get(url)
    t.equal(res.statusCode, 404, url)
    t.match(res.body, /Not found/)
  }
})

t.test('a form posted to a malformed id answers 404 and not a server error', async (t) => {
  const res = await admin.post('/admin/staff/not-a-uuid/role', { role: 'member' })
  t.equal(res.statusCode, 404)
})

t.test('an unknown invitation token answers 404', async (t) => {
  const res = await app.inject('/invite/this-token-does-not-exist')
  t.equal(res.statusCode, 404)
  t.match(res.body, /invitation link/)
})
