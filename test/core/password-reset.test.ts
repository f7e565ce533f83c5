import t from 'tap'
import { sql } from 'kysely'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db, jobs } = app.diContainer.cradle
const password = 'correct-horse-battery'
const newPassword = 'tulip-gravel-lantern-ocean'

const mailsTo = async (to: string) => (await db.selectFrom('mail_outbox').select(['body', 'subject']).where('to_address', '=', to).orderBy('created_at').execute())

/** Asks for a link as a visitor would, then lets the job runner do the queued work. */
async function ask(agent: Agent, email: string) {
  await agent.get('/signin/forgot')
  const res = await agent.post('/signin/forgot', { email })
  await jobs.runDue()
  return res
}

async function resetPath(to: string): Promise<string> {
  const mails = await mailsTo(to)
  const link = /http:\/\/portal\.test(\/reset\/[\w-]+)/.exec(mails.at(-1)?.body ?? '')?.[1]
  if (!link) throw new Error(`no reset link mailed to ${to}`)
  return link
}

t.test('the sign-in page links to "forgot password"', async (t) => {
  t.match((await new Agent(app).get('/signin')).body, 'href="/signin/forgot"')
})

t.test('the answer is the same whether or not the address has an account; only a real one gets mail', async (t) => {
  await createUser(app, { email: 'rita@example.com', name: 'Rita Reset' })
  const known = await ask(new Agent(app), 'Rita@Example.com')
  const unknown = await ask(new Agent(app), 'nobody@example.com')
  t.equal(known.statusCode, 200)
  t.equal(unknown.statusCode, 200)
  // Each page carries its own CSRF token; everything else must match.
  const text = (body: string, email: string) => body.replace(email, 'ADDRESS').replace(/x-csrf-token&quot;:&quot;[^&]+|name="_csrf" value="[^"]+"/g, '')
  t.equal(text(known.body, 'Rita@Example.com'), text(unknown.body, 'nobody@example.com'), 'the two pages are identical but for the address typed')
  t.match(known.body, 'If there is an account for')
  t.equal((await mailsTo('rita@example.com')).length, 1, 'the account holder is mailed a link')
  t.equal((await mailsTo('nobody@example.com')).length, 0, 'an unknown address is not')
  const token = await db.selectFrom('user_tokens').select(['token_hash', 'expires_at', 'purpose']).where('purpose', '=', 'reset').executeTakeFirstOrThrow()
  const link = await resetPath('rita@example.com')
  t.notOk(link.includes(token.token_hash), 'the database keeps a hash, not the token in the link')
  t.match(token.token_hash, /^[0-9a-f]{64}$/)
  const minutes = (token.expires_at.getTime() - Date.now()) / 60_000
  t.ok(minutes > 55 && minutes <= 60, `the link expires in an hour (${minutes.toFixed(1)} minutes)`)
})

t.test('the request costs the same whether or not the address exists (one queued job either way)', async (t) => {
  for (let i = 0; i < 5; i++) await createUser(app, { email: `tim${i}@example.com` })
  const time = async (email: string) => {
    const agent = new Agent(app)
    await agent.get('/signin/forgot')
    const started = process.hrtime.bigint()
    await agent.post('/signin/forgot', { email })
    return Number(process.hrtime.bigint() - started) / 1e6
  }
  const known: number[] = []
  const unknown: number[] = []
  for (let i = 0; i < 5; i++) {
    known.push(await time(`tim${i}@example.com`))
    unknown.push(await time(`ghost${i}@example.com`))
  }
  const jobsQueued = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'user.password-reset').where('done_at', 'is', null).executeTakeFirstOrThrow()
  t.equal(Number(jobsQueued.n), 10, 'each request only queued its job: no lookup, no mail in the request')
  // The same work either way; the margin is for a busy machine's noise.
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!
  t.ok(Math.abs(median(known) - median(unknown)) < 100, `similar timing (${median(known).toFixed(1)} ms and ${median(unknown).toFixed(1)} ms)`)
  await jobs.runDue()
})

t.test('a new password through the link: works once, ends every session, and the old password stops working', async (t) => {
  const user = await createUser(app, { email: 'sam@example.com', name: 'Sam Session' })
  const laptop = new Agent(app)
  await laptop.signIn(user.email, password)
  const phone = new Agent(app)
  await phone.signIn(user.email, password)

  const visitor = new Agent(app)
  await ask(visitor, user.email)
  const link = await resetPath(user.email)
  const page = await visitor.get(link)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Choose a new password')

  const mismatch = await visitor.post(link, { password: newPassword, confirm: 'something-else-entirely' })
  t.equal(mismatch.statusCode, 422)
  t.match(mismatch.body, 'The two passwords are not the same.')
  const common = await visitor.post(link, { password: 'password1234', confirm: 'password1234' })
  t.equal(common.statusCode, 422, 'a common password is refused here too')
  t.match(common.body, 'most commonly used')

  const res = await visitor.post(link, { password: newPassword, confirm: newPassword })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/signin')
  t.match((await visitor.get('/signin')).body, 'Your new password is set')

  for (const [name, agent] of [['laptop', laptop], ['phone', phone]] as const) {
    const after = await agent.get('/admin')
    t.equal(after.statusCode, 303, `the ${name} session is ended`)
    t.notOk(agent.has(sessionCookie))
  }
  const open = await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).where('revoked_at', 'is', null).execute()
  t.equal(open.length, 0, 'no session row of theirs is open')

  const again = await new Agent(app).get(link)
  t.equal(again.statusCode, 404, 'the link works once')
  t.match(again.body, 'already been used or has expired')
  const reuse = await new Agent(app).post(link, { password: 'another-fresh-password', confirm: 'another-fresh-password' })
  t.equal(reuse.statusCode, 404, 'and cannot set a password a second time')

  const old = await new Agent(app).post('/signin', { email: user.email, password })
  t.equal(old.statusCode, 422, 'the old password no longer signs in')
  t.equal((await new Agent(app).signIn(user.email, newPassword)).statusCode, 303, 'the new one does')
  const entry = await db.selectFrom('audit_log').select('action').where('entity_id', '=', user.id).where('action', '=', 'user.password-reset').executeTakeFirst()
  t.ok(entry, 'the reset is audited')
})

t.test('an expired link is refused, and a newer link replaces an older one', async (t) => {
  const user = await createUser(app, { email: 'eli@example.com' })
  await ask(new Agent(app), user.email)
  const first = await resetPath(user.email)
  await ask(new Agent(app), user.email)
  const second = await resetPath(user.email)
  t.equal((await new Agent(app).get(first)).statusCode, 404, 'asking again voids the earlier link')
  t.equal((await new Agent(app).get(second)).statusCode, 200)
  await db.updateTable('user_tokens').set({ expires_at: sql`now() - interval '1 second'` }).where('user_id', '=', user.id).where('used_at', 'is', null).execute()
  const expired = await new Agent(app).post(second, { password: newPassword, confirm: newPassword })
  t.equal(expired.statusCode, 404, 'an hour later the link no longer works')
  t.equal((await new Agent(app).signIn(user.email, password)).statusCode, 303, 'and the password is unchanged')
})

t.test('a deactivated or invited person is sent nothing, with the same answer', async (t) => {
  const user = await createUser(app, { email: 'gone@example.com' })
  await db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', user.id).execute()
  const res = await ask(new Agent(app), user.email)
  t.equal(res.statusCode, 200)
  t.equal((await mailsTo(user.email)).length, 0)
})

t.test('a bad address answers 422 and queues nothing', async (t) => {
  const before = await db.selectFrom('jobs').select('id').execute()
  const agent = new Agent(app)
  await agent.get('/signin/forgot')
  const res = await agent.post('/signin/forgot', { email: 'not-an-address' })
  t.equal(res.statusCode, 422)
  t.match(res.body, 'E-mail must be an e-mail address')
  t.equal((await db.selectFrom('jobs').select('id').execute()).length, before.length)
})

t.test('rate limits: three requests an hour per address, whoever asks; ten per client in 15 minutes', async (t) => {
  await createUser(app, { email: 'flood@example.com' })
  for (let i = 1; i <= 3; i++) t.equal((await ask(new Agent(app), 'flood@example.com')).statusCode, 200, `request ${i} for the address`)
  const fourth = await ask(new Agent(app), 'FLOOD@example.com')
  t.equal(fourth.statusCode, 429, 'the fourth, from another client, is refused')
  t.match(fourth.body, 'Too many requests for a new password')
  t.equal((await mailsTo('flood@example.com')).length, 3, 'and mails nothing more')

  const client = new Agent(app)
  await client.get('/signin/forgot')
  for (let i = 1; i <= 10; i++) t.equal((await client.post('/signin/forgot', { email: `someone${i}@example.com` })).statusCode, 200)
  const blocked = await client.post('/signin/forgot', { email: 'someone-else@example.com' })
  t.equal(blocked.statusCode, 429, 'the 11th from one client is refused')
  t.equal((await ask(new Agent(app), 'someone-else@example.com')).statusCode, 200, 'another client still can')
  await jobs.runDue()
})
