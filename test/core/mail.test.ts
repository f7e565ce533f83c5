import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app, config } = await buildTestApp(t)
const { db, jobs, mailer } = app.diContainer.cradle
await createUser(app, { email: 'admin@example.com', role: 'admin' })
await createUser(app, { email: 'staff@example.com' })
const admin = new Agent(app)
await admin.signIn('admin@example.com', 'correct-horse-battery')
const staff = new Agent(app)
await staff.signIn('staff@example.com', 'correct-horse-battery')

const mailId = await db.transaction().execute((trx) => mailer.send(trx, {
  to: 'partner@example.com', subject: 'Your <b>deal</b> is registered', body: `See ${mailer.link('/portal/deals/7')}`
}))

t.test('without SMTP_URL a sent mail is kept in the outbox by the job runner', async (t) => {
  t.equal(config.SMTP_URL, undefined, 'these tests run without SMTP')
  const queued = await db.selectFrom('mail_outbox').selectAll().where('id', '=', mailId).executeTakeFirstOrThrow()
  t.equal(queued.status, 'queued', 'queued until the runner comes by')
  t.ok(await jobs.runDue() >= 1)
  const kept = await db.selectFrom('mail_outbox').selectAll().where('id', '=', mailId).executeTakeFirstOrThrow()
  t.equal(kept.status, 'kept')
  t.equal(kept.sent_at, null)
  t.equal(await jobs.runDue(), 0, 'and the job is done')
})

t.test('mail that is rolled back with its change is never sent', async (t) => {
  await t.rejects(db.transaction().execute(async (trx) => {
    await mailer.send(trx, { to: 'ghost@example.com', subject: 'Never', body: 'Never' })
    throw new Error('the change failed')
  }))
  const rows = await db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'ghost@example.com').execute()
  t.equal(rows.length, 0)
  t.equal(await jobs.runDue(), 0, 'nor is its delivery job')
})

t.test('a staff admin reads the outbox and each message', async (t) => {
  const list = await admin.get('/admin/outbox')
  t.equal(list.statusCode, 200)
  t.match(list.body, 'partner@example.com')
  t.match(list.body, 'Your &lt;b&gt;deal&lt;/b&gt; is registered', 'the subject is escaped')
  t.match(list.body, `/admin/outbox/${mailId}`)
  const message = await admin.get(`/admin/outbox/${mailId}`)
  t.equal(message.statusCode, 200)
  t.match(message.body, '<a href="http://portal.test/portal/deals/7">', 'links in the body are clickable')
  t.match(message.body, /Kept/)
  const search = await admin.get('/admin/outbox?to=nobody')
  t.notMatch(search.body, 'partner@example.com', 'the recipient search filters')
})

t.test('plain staff may not read the outbox', async (t) => {
  t.equal((await staff.get('/admin/outbox')).statusCode, 403)
  t.equal((await staff.get(`/admin/outbox/${mailId}`)).statusCode, 403)
  t.equal((await new Agent(app).get('/admin/outbox')).statusCode, 303, 'visitors are sent to sign in')
})
