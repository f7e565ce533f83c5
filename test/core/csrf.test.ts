import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
await createUser(app, { email: 'admin@example.com', role: 'admin' })
const admin = new Agent(app)
await admin.signIn('admin@example.com', 'correct-horse-battery')

const invite = { email: 'newcomer@example.com', name: 'New Comer', role: 'member' }
const invited = async () => (await db.selectFrom('users').select('id').where('email', '=', invite.email).execute()).length
const mails = async () => (await db.selectFrom('mail_outbox').select('id').execute()).length

t.test('a POST without a CSRF token gets 403 and changes nothing', async (t) => {
  const res = await admin.post('/admin/staff', invite, { csrf: false })
  t.equal(res.statusCode, 403)
  t.match(res.body, /did not come from this site/)
  t.equal(await invited(), 0)
  t.equal(await mails(), 0)
})

t.test('a POST with a wrong CSRF token gets 403 and changes nothing', async (t) => {
  const res = await admin.post('/admin/staff', { ...invite, _csrf: 'forged-token-value' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.equal(await invited(), 0)
})

t.test('a token from another visitor’s session is refused too', async (t) => {
  const other = new Agent(app)
  await other.get('/signin')
  const res = await admin.post('/admin/staff', { ...invite, _csrf: other.csrfToken! }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.equal(await invited(), 0)
})

t.test('sign-out and sign-in need the token as well', async (t) => {
  t.equal((await admin.post('/signout', {}, { csrf: false })).statusCode, 403)
  t.equal((await admin.get('/admin')).statusCode, 200, 'still signed in')
  const visitor = new Agent(app)
  const res = await visitor.post('/signin', { email: 'admin@example.com', password: 'correct-horse-battery' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.notOk(visitor.has('pp_session'))
})

t.test('htmx sends the token in a header, which is accepted', async (t) => {
  const res = await admin.post('/admin/staff', invite, { csrf: false, headers: { 'x-csrf-token': admin.csrfToken!, 'hx-request': 'true' } })
  t.equal(res.statusCode, 303)
  t.equal(await invited(), 1)
})
