import t, { type Test } from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { pruneSessions } from '../../core/identity/users/users.repository.ts'
import { Agent, buildTestApp, createUser, dialect } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'

const password = 'correct-horse-battery'

/** One app for the file: each test uses its own people, so they do not disturb each other. */
const { app, env } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const admin = await createUser(app, { email: 'admin@example.com', role: 'admin', name: 'Ada Admin' })
const adminAgent = new Agent(app)
await adminAgent.signIn(admin.email, password)

async function signedIn(email: string): Promise<Agent> {
  const agent = new Agent(app)
  await agent.signIn(email, password)
  return agent
}

interface Claims { sub: string; sv: number; sid?: string }
const claimsOf = (agent: Agent): Claims => app.jwt.decode<Claims>(agent.cookie(sessionCookie)!)!
const sessionRow = (agent: Agent) => db.selectFrom('sessions').selectAll().where('id', '=', claimsOf(agent).sid!).executeTakeFirstOrThrow()

/** A client holding a copy of another's session cookie: another tab, or whoever stole it. */
function copyOf(agent: Agent, on: FastifyInstance = app): Agent {
  const copy = new Agent(on)
  copy.setCookie(sessionCookie, agent.cookie(sessionCookie)!)
  return copy
}

async function refused(t: Test, agent: Agent, message: string): Promise<void> {
  const res = await agent.get('/admin')
  t.equal(res.statusCode, 303, message)
  t.equal(res.headers.location, '/signin?next=%2Fadmin', 'sent to sign in')
  t.notOk(agent.has(sessionCookie), 'and the cookie is cleared')
}

/**
 * A second portal on the same database, as another instance behind a load balancer would be. On
 * PostgreSQL it has a connection pool of its own; embedded PGlite belongs to one process, so there
 * the second app shares the first's handle (still its own session plugin and token cache).
 */
async function otherInstance(t: Test): Promise<FastifyInstance> {
  if (dialect === 'postgres') return (await buildTestApp(t, {}, { dbEnv: env })).app
  return (await buildTestApp(t, {}, { database: { db, dialect: 'pglite', close: async () => {} } })).app
}

t.test('signing out clears the session cookie', async (t) => {
  await createUser(app, { email: 'leaver@example.com' })
  const agent = await signedIn('leaver@example.com')
  t.ok(agent.has(sessionCookie))
  const res = await agent.post('/signout')
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/signin')
  const cleared = res.cookies.find((c) => c.name === sessionCookie)
  t.ok(cleared, 'the reply sets the session cookie')
  t.equal(cleared?.value, '')
  t.notOk(agent.has(sessionCookie))
  t.equal((await agent.get('/admin')).statusCode, 303, 'and /admin asks to sign in again')
})

t.test('signing out ends the session on the server: a copy of the cookie is refused, other sessions go on', async (t) => {
  const user = await createUser(app, { email: 'copied@example.com' })
  const agent = await signedIn(user.email)
  const elsewhere = await signedIn(user.email)
  const copy = copyOf(agent)
  t.equal((await copy.get('/admin')).statusCode, 200, 'the copy works while the session is open')
  t.equal((await agent.post('/signout')).statusCode, 303)
  await refused(t, copy, 'after sign-out the copied cookie no longer opens /admin')
  t.equal((await elsewhere.get('/admin')).statusCode, 200, 'the same person’s session in another browser goes on')
  const rows = await db.selectFrom('sessions').select(['revoked_at']).where('user_id', '=', user.id).orderBy('created_at').execute()
  t.equal(rows.length, 2, 'a row per sign-in')
  t.equal(rows.filter((r) => r.revoked_at !== null).length, 1, 'only the signed-out one is revoked')
})

t.test('signing out everywhere ends the other devices’ sessions at their next request', async (t) => {
  const user = await createUser(app, { email: 'traveller@example.com' })
  const laptop = await signedIn('traveller@example.com')
  const phone = await signedIn('traveller@example.com')
  const laptopCopy = copyOf(laptop)
  t.equal((await phone.get('/admin')).statusCode, 200)
  const res = await laptop.post('/account/signout-everywhere')
  t.equal(res.statusCode, 303)
  t.notOk(laptop.has(sessionCookie))
  await refused(t, laptopCopy, 'a copy of the cookie that signed out everywhere is refused')
  const open = await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).where('revoked_at', 'is', null).execute()
  t.same(open, [], 'every session row of theirs is revoked')
  const next = await phone.get('/admin')
  t.equal(next.statusCode, 303)
  t.equal(next.headers.location, '/signin?next=%2Fadmin')
  t.notOk(phone.has(sessionCookie), 'the stale cookie is cleared')
  t.equal((await phone.signIn('traveller@example.com', password)).statusCode, 303, 'signing in again works')
  t.equal((await phone.get('/admin')).statusCode, 200)
})

t.test('deactivation by a staff admin takes effect on the very next request', async (t) => {
  const user = await createUser(app, { email: 'deactivated@example.com' })
  const agent = await signedIn(user.email)
  t.equal((await agent.get('/admin')).statusCode, 200)
  t.equal((await adminAgent.post(`/admin/staff/${user.id}/deactivate`)).statusCode, 303)
  const next = await agent.get('/admin')
  t.equal(next.statusCode, 303)
  t.match(next.headers.location, /^\/signin/)
  const again = await new Agent(app).post('/signin', { email: user.email, password })
  t.equal(again.statusCode, 422, 'and they cannot sign in again')
})

t.test('a demoted staff admin loses the staff-admin pages on their next request', async (t) => {
  const user = await createUser(app, { email: 'demoted@example.com', role: 'admin' })
  const agent = await signedIn(user.email)
  t.equal((await agent.get('/admin/staff')).statusCode, 200)
  t.equal((await adminAgent.post(`/admin/staff/${user.id}/role`, { role: 'member' })).statusCode, 303)
  const next = await agent.get('/admin/staff')
  t.not(next.statusCode, 200, 'the old cookie no longer opens staff-admin pages')
  await agent.signIn(user.email, password)
  t.equal((await agent.get('/admin')).statusCode, 200, 'signed in again they are staff')
  t.equal((await agent.get('/admin/staff')).statusCode, 403, 'but not a staff admin')
})

t.test('a promoted staff member gains the staff-admin pages after signing in again', async (t) => {
  const user = await createUser(app, { email: 'promoted@example.com' })
  const agent = await signedIn(user.email)
  t.equal((await agent.get('/admin/staff')).statusCode, 403)
  t.equal((await adminAgent.post(`/admin/staff/${user.id}/role`, { role: 'admin' })).statusCode, 303)
  t.equal((await agent.get('/admin/staff')).statusCode, 303, 'the old session ends')
  await agent.signIn(user.email, password)
  t.equal((await agent.get('/admin/staff')).statusCode, 200)
})

t.test('a tampered session cookie is treated as signed out', async (t) => {
  const agent = await signedIn(admin.email)
  const token = agent.cookie(sessionCookie)!
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Claims
  const forged = Buffer.from(JSON.stringify({ ...claims, sv: claims.sv + 1 })).toString('base64url')
  for (const value of [`${header}.${forged}.${signature}`, `${token}x`, 'not-a-jwt']) {
    agent.setCookie(sessionCookie, value)
    const res = await agent.get('/admin/staff')
    t.equal(res.statusCode, 303, `${value.slice(-12)} does not open /admin/staff`)
    t.match(res.headers.location, /^\/signin/)
    t.notOk(agent.has(sessionCookie), 'and the cookie is cleared')
  }
})

t.test('a session that expires is refused, though its token was verified (and cached) while it was valid', async (t) => {
  const agent = await signedIn(admin.email)
  const claims = claimsOf(agent)
  agent.setCookie(sessionCookie, app.jwt.sign({ sub: claims.sub, sv: claims.sv, sid: claims.sid }, { expiresIn: 1 }))
  t.equal((await agent.get('/admin/staff')).statusCode, 200, 'valid: the page opens')
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const res = await agent.get('/admin/staff')
  t.equal(res.statusCode, 303, 'expired: sent to sign in')
  t.notOk(agent.has(sessionCookie), 'and the cookie is cleared')
})

t.test('a revoked or expired session row is refused, though its token is good for days', async (t) => {
  const user = await createUser(app, { email: 'rows@example.com' })
  const revoked = await signedIn(user.email)
  const expired = await signedIn(user.email)
  t.equal((await revoked.get('/admin')).statusCode, 200)
  t.equal((await expired.get('/admin')).statusCode, 200)
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', claimsOf(revoked).sid!).execute()
  await db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', claimsOf(expired).sid!).execute()
  await refused(t, revoked, 'a revoked session is refused')
  await refused(t, expired, 'an expired session is refused')
  const other = await signedIn(user.email)
  await db.deleteFrom('sessions').where('id', '=', claimsOf(other).sid!).execute()
  await refused(t, other, 'a session whose row is gone (pruned) is refused')
})

t.test('a token naming another person’s session, or none, is refused', async (t) => {
  const mallory = await createUser(app, { email: 'mallory@example.com' })
  const victim = await createUser(app, { email: 'victim@example.com' })
  const own = claimsOf(await signedIn(mallory.email))
  const theirs = claimsOf(await signedIn(victim.email))
  // Signed with the app's own secret: only a bug could mint these, and the database check still holds.
  for (const [claims, what] of [
    [{ sub: own.sub, sv: own.sv, sid: theirs.sid }, 'another user’s session'],
    [{ sub: theirs.sub, sv: theirs.sv, sid: own.sid }, 'their own session under another user’s name'],
    [{ sub: own.sub, sv: own.sv }, 'no session: a token from before sessions had rows'],
    [{ sub: own.sub, sv: own.sv, sid: 'not-a-uuid' }, 'a malformed session id']
  ] as Array<[Claims, string]>) {
    const agent = new Agent(app)
    agent.setCookie(sessionCookie, app.jwt.sign(claims))
    await refused(t, agent, `a token naming ${what} is refused`)
  }
})

t.test('sign-in records the session’s browser, address and lifetime; last seen is written at most every few minutes', async (t) => {
  const user = await createUser(app, { email: 'recorded@example.com' })
  const agent = new Agent(app)
  await agent.get('/signin')
  await agent.post('/signin', { email: user.email, password }, { headers: { 'user-agent': `  Firefox/140 ${'x'.repeat(400)}  ` } })
  const row = await sessionRow(agent)
  t.equal(row.user_id, user.id)
  t.equal(row.ip, agent.ip)
  t.equal(row.user_agent, `Firefox/140 ${'x'.repeat(300 - 12)}`, 'the user agent is trimmed and cut to 300 characters')
  t.ok(Math.abs(row.expires_at.getTime() - Date.now() - 7 * 86_400_000) < 60_000, 'it expires in 7 days, as its cookie does')
  t.equal(row.revoked_at, null)

  await agent.get('/admin')
  t.same((await sessionRow(agent)).last_seen_at, row.last_seen_at, 'a request just after sign-in writes nothing')
  await sql`update sessions set last_seen_at = now() - interval '10 minutes' where id = ${row.id}`.execute(db)
  const stale = (await sessionRow(agent)).last_seen_at
  await agent.get('/admin')
  const seen = (await sessionRow(agent)).last_seen_at
  t.ok(seen.getTime() > stale.getTime() + 9 * 60_000, 'a request ten minutes on records that the session was seen')
  await agent.get('/admin')
  t.same((await sessionRow(agent)).last_seen_at, seen, 'and the next one writes nothing again')
})

t.test('sessions expired for more than the days kept are pruned, a batch at a time', async (t) => {
  const user = await createUser(app, { email: 'pruned@example.com' })
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000)
  const rows = await db.insertInto('sessions').values([40, 35, 31, 29, -7].map((days) => ({ user_id: user.id, expires_at: ago(days) })))
    .returning(['id', 'expires_at']).execute()
  const left = async () => (await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).map((r) => r.id).sort()
  t.equal(await pruneSessions(db, 30, 2), 2, 'a batch of two')
  t.equal(await pruneSessions(db, 30, 2), 1, 'then the last one past 30 days')
  t.equal(await pruneSessions(db, 30, 2), 0)
  t.same(await left(), rows.slice(3).map((r) => r.id).sort(), 'the recently expired and the open session stay')
})

t.test('two instances on one database: sign-out, suspension and pruning on one take effect on the other', async (t) => {
  const other = await otherInstance(t)
  const user = await createUser(app, { email: 'roaming@example.com' })
  const here = await signedIn(user.email)
  const there = copyOf(here, other)
  t.equal((await there.get('/admin')).statusCode, 200, 'a session from one instance works on the other')
  const signedInThere = new Agent(other)
  await signedInThere.signIn(user.email, password)
  t.equal((await copyOf(signedInThere).get('/admin')).statusCode, 200, 'and the other way round')
  t.equal((await here.post('/signout')).statusCode, 303)
  await refused(t, there, 'signed out on one instance, refused on the other at its next request')
  t.equal((await signedInThere.get('/admin')).statusCode, 200, 'the person’s other session goes on')

  const { partner, email } = await createActivePartner(app, 'roamers')
  const employee = await createEmployee(app, partner.id, 'employee@roamers.example')
  const people = [new Agent(other), new Agent(other)]
  await people[0]!.signIn(email, partnerPassword)
  await people[1]!.signIn(employee.email, partnerPassword)
  for (const person of people) t.equal((await person.get('/portal')).statusCode, 200)
  t.equal((await adminAgent.post(`/admin/partners/${partner.id}/suspend`, { reason: 'Unpaid invoices.' })).statusCode, 303)
  for (const person of people) {
    const res = await person.get('/portal')
    t.equal(res.statusCode, 303, 'suspended on one instance, out on the other at the next request')
    t.match(res.headers.location, /^\/signin/)
  }
  const open = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select('sessions.id')
    .where('users.partner_id', '=', partner.id).where('sessions.revoked_at', 'is', null).execute()
  t.same(open, [], 'their session rows are revoked')

  const third = await otherInstance(t)
  const old = await db.insertInto('sessions').values({ user_id: user.id, expires_at: new Date(Date.now() - 31 * 86_400_000) })
    .returning('id').executeTakeFirstOrThrow()
  await new Agent(third).signIn(user.email, password)
  t.notOk(await db.selectFrom('sessions').select('id').where('id', '=', old.id).executeTakeFirst(), 'an instance’s first sign-in prunes old sessions')
})

t.test('a visitor is sent to sign in, and back after it', async (t) => {
  const agent = new Agent(app)
  const res = await agent.get('/admin/audit?entity=user')
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/signin?next=%2Fadmin%2Faudit%3Fentity%3Duser')
  await agent.get(res.headers.location as string)
  const signIn = await agent.post('/signin', { email: admin.email, password, next: '/admin/audit?entity=user' })
  t.equal(signIn.headers.location, '/admin/audit?entity=user')
  const offsite = await new Agent(app).post('/signin', { email: admin.email, password, next: '//evil.example.com/' })
  t.equal(offsite.headers.location, '/admin', 'a next pointing elsewhere is ignored')
})
