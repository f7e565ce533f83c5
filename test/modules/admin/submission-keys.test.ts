import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { postTwice, submissionKey } from '../../fixtures/submissions.ts'

t.test('a staff invitation sent twice invites once; a refused one keeps its key', async (t) => {
  const { app } = await buildTestApp(t)
  await createUser(app, { email: 'admin@example.com', role: 'admin' })
  const admin = new Agent(app)
  await admin.signIn('admin@example.com', 'correct-horse-battery')

  const key = submissionKey((await admin.get('/admin/staff/new')).body)!
  t.ok(key, 'the invitation form carries a key')
  const refused = await admin.post('/admin/staff', { email: 'not-an-address', name: 'Nina New', role: 'member', _submission: key })
  t.equal(refused.statusCode, 422)
  t.equal(submissionKey(refused.body), key)
  const first = await postTwice(t, admin, '/admin/staff', { email: 'nina@example.com', name: 'Nina New', role: 'member' }, key)
  t.match(first.headers.location, /^\/admin\/staff\/[0-9a-f-]{36}$/)
  const { db } = app.diContainer.cradle
  t.equal((await db.selectFrom('users').select('id').where('email', '=', 'nina@example.com').execute()).length, 1)
  t.equal((await db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'nina@example.com').execute()).length, 1, 'one invitation e-mail')
})
