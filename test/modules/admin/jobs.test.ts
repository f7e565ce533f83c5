import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

declare module '../../../core/background/events/events.ts' {
  interface DomainEvents {
    'test.noticed': { what: string }
  }
}

const { app } = await buildTestApp(t)
const { db, jobs, events } = app.diContainer.cradle
await createUser(app, { email: 'admin@example.com', role: 'admin' })
await createUser(app, { email: 'member@example.com', role: 'member' })
const admin = new Agent(app)
await admin.signIn('admin@example.com', 'correct-horse-battery')

let fixed = false
events.subscribe('test.noticed', 'webhooks', async () => {
  if (!fixed) throw new Error('https://hooks.example.com answered 502')
})

/** Emits an event whose delivery fails on every attempt until `fixed`, run to its last attempt. */
async function givenUp(subject: string) {
  await db.transaction().execute((trx) => events.emit(trx, 'test.noticed', subject, { what: 'it' }))
  await db.updateTable('jobs').set({ max_attempts: 1 }).where('kind', '=', 'event:webhooks:test.noticed').where('done_at', 'is', null).execute()
  await jobs.runDue()
}

t.test('nothing failed: the page says so', async (t) => {
  const page = await admin.get('/admin/jobs')
  t.equal(page.statusCode, 200)
  t.match(page.body, /Nothing has failed/)
  t.match(page.body, /<dt>Given up<\/dt><dd>0<\/dd>/)
})

t.test('a given-up delivery is listed with its error, and retried', async (t) => {
  await givenUp('deal-42')
  const page = await admin.get('/admin/jobs')
  t.match(page.body, /Delivering test\.noticed of deal-42 to webhooks/)
  t.match(page.body, /hooks\.example\.com answered 502/)
  t.match(page.body, /<dt>Given up<\/dt><dd>1<\/dd>/)
  const job = await db.selectFrom('jobs').select('id').where('kind', '=', 'event:webhooks:test.noticed').executeTakeFirstOrThrow()

  fixed = true
  const retried = await admin.post(`/admin/jobs/${job.id}/retry`)
  t.equal(retried.statusCode, 303)
  t.equal(await jobs.runDue(), 1, 'the job runs again')
  const done = await db.selectFrom('jobs').select(['done_at', 'failed_at']).where('id', '=', job.id).executeTakeFirstOrThrow()
  t.not(done.done_at, null, 'and is done')
  t.match((await admin.get('/admin/jobs')).body, /Nothing has failed/)
  t.equal((await admin.post(`/admin/jobs/${job.id}/retry`)).statusCode, 404, 'a job that is not given up cannot be retried')
  t.equal((await admin.post(`/admin/jobs/${randomUUID()}/retry`)).statusCode, 404)
  fixed = false
})

t.test('many failures page 25 at a time', async (t) => {
  for (let i = 0; i < 27; i++) await givenUp(`page-${i}`)
  const first = await admin.get('/admin/jobs')
  t.equal((first.body.match(/<td>Delivering test\.noticed/g) ?? []).length, 25)
  const next = /href="(\/admin\/jobs\?after=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&')
  t.ok(next, 'with a link to the next page')
  const second = await admin.get(next!)
  t.equal((second.body.match(/<td>Delivering test\.noticed/g) ?? []).length, 2, 'the rest on the second')
})

t.test('only staff admins see the queue', async (t) => {
  const member = new Agent(app)
  await member.signIn('member@example.com', 'correct-horse-battery')
  t.equal((await member.get('/admin/jobs')).statusCode, 403)
  const { email, password } = await createActivePartner(app, 'jobsco')
  const partner = new Agent(app)
  await partner.signIn(email, password)
  t.equal((await partner.get('/admin/jobs')).statusCode, 403)
  const job = await db.selectFrom('jobs').select('id').where('failed_at', 'is not', null).executeTakeFirstOrThrow()
  t.equal((await partner.post(`/admin/jobs/${job.id}/retry`)).statusCode, 403)
  t.equal((await new Agent(app).get('/admin/jobs')).statusCode, 303, 'a visitor is sent to sign in')
})
