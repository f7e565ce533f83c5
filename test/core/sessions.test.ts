import t from 'tap'
import { sessionCookie } from '../../core/auth/session.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const password = 'correct-horse-battery'

/** One app for the file: each test uses its own people, so they do not disturb each other. */
const { app } = await buildTestApp(t)
const admin = await createUser(app, { email: 'admin@example.com', role: 'admin', name: 'Ada Admin' })
const adminAgent = new Agent(app)
await adminAgent.signIn(admin.email, password)

async function signedIn(email: string): Promise<Agent> {
  const agent = new Agent(app)
  await agent.signIn(email, password)
  return agent
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

t.test('signing out everywhere ends the other devices’ sessions at their next request', async (t) => {
  await createUser(app, { email: 'traveller@example.com' })
  const laptop = await signedIn('traveller@example.com')
  const phone = await signedIn('traveller@example.com')
  t.equal((await phone.get('/admin')).statusCode, 200)
  const res = await laptop.post('/account/signout-everywhere')
  t.equal(res.statusCode, 303)
  t.notOk(laptop.has(sessionCookie))
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
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { sub: string; sv: number }
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
  const claims = app.jwt.decode<{ sub: string; sv: number }>(agent.cookie(sessionCookie)!)!
  agent.setCookie(sessionCookie, app.jwt.sign({ sub: claims.sub, sv: claims.sv }, { expiresIn: 1 }))
  t.equal((await agent.get('/admin/staff')).statusCode, 200, 'valid: the page opens')
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const res = await agent.get('/admin/staff')
  t.equal(res.statusCode, 303, 'expired: sent to sign in')
  t.notOk(agent.has(sessionCookie), 'and the cookie is cleared')
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
