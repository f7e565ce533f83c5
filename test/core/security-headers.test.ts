import t from 'tap'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
await createUser(app, { email: 'staff@example.com', name: 'Sam Staff' })
const staff = new Agent(app)
const signIn = await staff.signIn('staff@example.com', 'correct-horse-battery')

t.test('the CSP allows no inline script', async (t) => {
  const csp = String((await app.inject('/signin')).headers['content-security-policy'])
  const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? /default-src ([^;]+)/.exec(csp)?.[1]
  t.ok(scriptSrc, 'scripts are restricted')
  t.notMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'|\*/)
  t.match(csp, /frame-ancestors 'none'/)
  t.match(csp, /object-src 'none'/)
})

t.test('pages carry the usual protective headers', async (t) => {
  const res = await app.inject('/signin')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.ok(res.headers['referrer-policy'])
  t.notOk(res.headers['x-powered-by'])
})

t.test('no page carries inline script', async (t) => {
  for (const url of ['/admin', '/admin/audit', '/account']) {
    const body = (await staff.get(url)).body
    for (const tag of body.match(/<script\b[^>]*>/g) ?? []) t.match(tag, /\bsrc="\/assets\//, `${url}: ${tag}`)
    t.notMatch(body, /\son[a-z]+=/i, `${url} has no inline event handlers`)
  }
})

t.test('the session cookie is HttpOnly and SameSite=Lax', async (t) => {
  const header = [signIn.headers['set-cookie']].flat().find((c) => c?.startsWith(`${sessionCookie}=`))
  t.ok(header, 'sign-in sets the session cookie')
  t.match(header, /; HttpOnly/i)
  t.match(header, /; SameSite=Lax/i)
  t.match(header, /; Path=\//i)
  t.notMatch(header, /; Secure/i, 'not Secure without TLS')
})

t.test('behind https the session cookie is Secure', async (t) => {
  const { app: tlsApp } = await buildTestApp(t, { PUBLIC_URL: 'https://portal.example.com' })
  await createUser(tlsApp, { email: 'tls@example.com' })
  const res = await new Agent(tlsApp).signIn('tls@example.com', 'correct-horse-battery')
  const header = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${sessionCookie}=`))
  t.match(header, /; Secure/i)
  t.ok(res.headers['strict-transport-security'], 'and HSTS is on')
})

t.test('pages vary on HX-Request', async (t) => {
  for (const url of ['/signin', '/no-such-page']) {
    t.match(String((await app.inject(url)).headers.vary), /HX-Request/i, url)
  }
  t.match(String((await staff.get('/admin')).headers.vary), /HX-Request/i, '/admin')
})

t.test('an htmx request gets the fragment, others the whole page', async (t) => {
  const whole = await staff.get('/admin')
  t.match(whole.body, /<html/)
  const fragment = await staff.get('/admin', { 'hx-request': 'true' })
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html|<head|<body/)
  t.match(fragment.body, /Good to see you, Sam/)
  const boosted = await staff.get('/admin', { 'hx-request': 'true', 'hx-boosted': 'true' })
  t.match(boosted.body, /<html/, 'a boosted link gets the whole page')
  const restore = await staff.get('/admin', { 'hx-request': 'true', 'hx-history-restore-request': 'true' })
  t.match(restore.body, /<html/, 'a history restore gets the whole page')
})

t.test('static assets are cached for a long time', async (t) => {
  const page = (await app.inject('/signin')).body
  for (const href of page.match(/\/assets\/[^"]+/g) ?? []) {
    const res = await app.inject(href)
    t.equal(res.statusCode, 200, href)
    t.match(res.headers['cache-control'], /max-age=31536000/, href)
  }
})
