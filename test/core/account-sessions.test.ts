import t from 'tap'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const password = 'correct-horse-battery'
const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'

/** Signs in as a browser with this user agent would. */
async function signedIn(email: string, userAgent: string): Promise<Agent> {
  const agent = new Agent(app)
  await agent.get('/signin', { 'user-agent': userAgent })
  const res = await app.inject({
    method: 'POST', url: '/signin', remoteAddress: agent.ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: agent.cookieHeader, 'user-agent': userAgent },
    payload: new URLSearchParams({ email, password, _csrf: agent.csrfToken! }).toString()
  })
  const cookie = res.cookies.find((c) => c.name === sessionCookie)
  if (!cookie) throw new Error(`no session: ${res.statusCode}`)
  agent.setCookie(sessionCookie, cookie.value)
  return agent
}

const sessionIds = async (userId: string) =>
  (await db.selectFrom('sessions').select(['id', 'user_agent']).where('user_id', '=', userId).where('revoked_at', 'is', null).execute())

t.test('the list shows each session with its device, address and times, this one marked', async (t) => {
  const user = await createUser(app, { email: 'wanda@example.com' })
  const laptop = await signedIn(user.email, chrome)
  await signedIn(user.email, iphone)
  const page = await laptop.get('/account/sessions')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Chrome 120 on Windows 10')
  t.match(page.body, 'Safari 17 on iOS 17')
  t.match(page.body, laptop.ip, 'the address')
  t.equal(page.body.match(/This browser/g)?.length, 1, 'one session is marked as this one')
  t.ok(page.body.indexOf('This browser') < page.body.indexOf('Safari 17'), 'and listed first')
  t.match(page.body, 'Sign out everywhere else')
  t.match((await laptop.get('/account')).body, 'href="/account/sessions"', 'the account page links to it')
})

t.test('signing out one session ends that one only; another person’s session is not found', async (t) => {
  const user = await createUser(app, { email: 'olga@example.com' })
  const laptop = await signedIn(user.email, chrome)
  const phone = await signedIn(user.email, iphone)
  const phoneSession = (await sessionIds(user.id)).find((s) => s.user_agent === iphone)!
  const res = await laptop.post(`/account/sessions/${phoneSession.id}/signout`)
  t.equal(res.statusCode, 303)
  t.match((await laptop.get('/account/sessions')).body, 'That session is signed out.')
  t.equal((await phone.get('/admin')).statusCode, 303, 'the phone is signed out')
  t.equal((await laptop.get('/admin')).statusCode, 200, 'the laptop is not')

  const other = await createUser(app, { email: 'mallory@example.com' })
  const theirs = await signedIn(other.email, chrome)
  const [theirSession] = await sessionIds(other.id)
  const attempt = await laptop.post(`/account/sessions/${theirSession!.id}/signout`)
  t.equal(attempt.statusCode, 404, 'another person’s session answers 404')
  t.equal((await theirs.get('/admin')).statusCode, 200, 'and stays open')
  t.equal((await laptop.post(`/account/sessions/${phoneSession.id}/signout`)).statusCode, 404, 'an ended session is not found either')
  t.ok(await db.selectFrom('audit_log').select('id').where('entity_id', '=', user.id).where('action', '=', 'user.session-ended').executeTakeFirst(), 'audited')
})

t.test('signing out this session from the list signs out here', async (t) => {
  const user = await createUser(app, { email: 'hank@example.com' })
  const laptop = await signedIn(user.email, chrome)
  const [mine] = await sessionIds(user.id)
  const res = await laptop.post(`/account/sessions/${mine!.id}/signout`)
  t.equal(res.headers.location, '/signin')
  t.notOk(laptop.has(sessionCookie))
})

t.test('"sign out everywhere else" keeps this session only', async (t) => {
  const user = await createUser(app, { email: 'ezra@example.com' })
  const here = await signedIn(user.email, chrome)
  const others = [await signedIn(user.email, iphone), await signedIn(user.email, chrome)]
  const res = await here.post('/account/sessions/signout-others')
  t.equal(res.statusCode, 303)
  t.match((await here.get('/account/sessions')).body, 'Signed out of 2 other sessions.')
  for (const agent of others) t.equal((await agent.get('/admin')).statusCode, 303, 'another session is ended')
  t.equal((await here.get('/admin')).statusCode, 200, 'this one goes on')
  t.equal((await sessionIds(user.id)).length, 1)
})

t.test('visitors are sent to sign in', async (t) => {
  const res = await new Agent(app).get('/account/sessions')
  t.equal(res.statusCode, 303)
})
