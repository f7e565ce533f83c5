import t, { type Test } from 'tap'
import { Secret, TOTP } from 'otpauth'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { pendingCookie } from '../../core/identity/auth/sign-in-steps.ts'
import { enrolment, newTotpSecret } from '../../core/identity/two-factor/totp.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'

const { app } = await buildTestApp(t)
const { db, clock } = app.diContainer.cradle
const password = 'correct-horse-battery'

/** The services' clock, set by the tests: TOTP codes depend on it. */
let now = Date.UTC(2026, 11, 7, 12, 0, 0)
clock.now = () => now
const later = (seconds: number) => { now += seconds * 1000 }

const codeAt = (secret: string, at = now) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at })

const secretOf = async (userId: string) => {
  const row = await db.selectFrom('users').select(['totp_secret', 'totp_pending_secret']).where('id', '=', userId).executeTakeFirstOrThrow()
  return (row.totp_secret ?? row.totp_pending_secret)!
}

const recoveryCodesIn = (body: string) => [...body.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!)

/** Turns two-factor sign-in on from the account page, as the person would; returns their recovery codes. */
async function enrol(t: Test, agent: Agent, userId: string, pass = password): Promise<string[]> {
  const page = await agent.get('/account/two-factor')
  t.equal(page.statusCode, 200)
  const res = await agent.post('/account/two-factor', { code: codeAt(await secretOf(userId)), password: pass })
  t.equal(res.statusCode, 200, 'enrolled')
  later(30)
  return recoveryCodesIn(res.body)
}

/** The password step: it leaves a pending sign-in, not a session. */
async function passwordStep(t: Test, email: string, pass = password): Promise<Agent> {
  const agent = new Agent(app)
  await agent.get('/signin')
  const res = await agent.post('/signin', { email, password: pass })
  t.equal(res.statusCode, 303)
  t.notOk(agent.has(sessionCookie), 'no session after the password alone')
  t.ok(agent.has(pendingCookie), 'only a pending sign-in')
  return agent
}

t.test('enrolment: a QR code drawn on the server, confirmed by a code and the password; ten recovery codes kept hashed', async (t) => {
  const user = await createUser(app, { email: 'tess@example.com', name: 'Tess Totp' })
  const agent = new Agent(app)
  await agent.signIn(user.email, password)
  const page = await agent.get('/account/two-factor')
  t.match(page.body, /<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/, 'the QR code is an SVG image, no script')
  const secret = await secretOf(user.id)
  t.match(page.body, secret.slice(0, 4), 'the key is shown for typing in')
  t.match(Buffer.from(/base64,([^"]+)/.exec(page.body)![1]!, 'base64').toString(), /^<svg/, 'it is an SVG')
  t.equal(await secretOf(user.id), secret, 'the same secret on every visit until it is confirmed')
  t.match((await agent.get('/account/two-factor')).body, secret.slice(0, 4))

  const wrong = await agent.post('/account/two-factor', { code: '000000', password })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.body, 'That code is not right')
  const badPassword = await agent.post('/account/two-factor', { code: codeAt(secret), password: 'not-my-password' })
  t.equal(badPassword.statusCode, 422)
  t.match(badPassword.body, 'Your password is not right.')

  const res = await agent.post('/account/two-factor', { code: codeAt(secret), password })
  t.equal(res.statusCode, 200)
  const codes = recoveryCodesIn(res.body)
  t.equal(codes.length, 10, 'ten recovery codes, shown once')
  t.equal(new Set(codes).size, 10)
  const stored = await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()
  t.equal(stored.length, 10)
  t.notOk(stored.some((s) => codes.some((c) => s.code_hash.includes(c.replace('-', '')))), 'only hashes are stored')
  const row = await db.selectFrom('users').select(['totp_enabled_at', 'totp_pending_secret']).where('id', '=', user.id).executeTakeFirstOrThrow()
  t.ok(row.totp_enabled_at)
  t.equal(row.totp_pending_secret, null)
  t.match((await agent.get('/account/two-factor')).body, '10 recovery codes are')
  t.ok(await db.selectFrom('audit_log').select('id').where('entity_id', '=', user.id).where('action', '=', 'user.two-factor-enabled').executeTakeFirst(), 'audited')
})

t.test('each secret’s QR code is drawn once and kept for the next visit; another secret or address gets its own', async (t) => {
  const secret = newTotpSecret()
  const first = await enrolment(secret, 'kept@example.com')
  t.match(first.uri, `secret=${secret}`)
  t.equal(await enrolment(secret, 'kept@example.com'), first, 'the same drawing again')
  const other = await enrolment(newTotpSecret(), 'kept@example.com')
  t.not(other.qr, first.qr, 'a new secret, a new drawing')
  t.not((await enrolment(secret, 'moved@example.com')).qr, first.qr, 'a new address, a new drawing')
})

t.test('sign-in with a code: no session until the code is right; a wrong, an old or a used code is refused', async (t) => {
  const user = await createUser(app, { email: 'cody@example.com', name: 'Cody Code' })
  const first = new Agent(app)
  await first.signIn(user.email, password)
  await enrol(t, first, user.id)
  const secret = await secretOf(user.id)
  later(300)

  const agent = await passwordStep(t, user.email)
  t.equal((await agent.get('/admin')).statusCode, 303, 'the pending sign-in opens nothing')
  const form = await agent.get('/signin/code')
  t.equal(form.statusCode, 200)
  t.match(form.body, 'Enter your code')

  const wrong = await agent.post('/signin/code', { code: '123456' === codeAt(secret) ? '654321' : '123456' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.body, 'That code is not right')
  t.notOk(agent.has(sessionCookie))
  const stale = await agent.post('/signin/code', { code: codeAt(secret, now - 120_000) })
  t.equal(stale.statusCode, 422, 'a code from two minutes ago is refused')

  const code = codeAt(secret, now - 30_000)
  const res = await agent.post('/signin/code', { code })
  t.equal(res.statusCode, 303, 'a code from the previous 30 seconds is still taken (a phone a little behind)')
  t.equal(res.headers.location, '/admin')
  t.ok(agent.has(sessionCookie))
  t.notOk(agent.has(pendingCookie), 'the pending sign-in is gone')
  t.equal((await agent.get('/admin')).statusCode, 200)

  const replay = await passwordStep(t, user.email)
  t.equal((await replay.post('/signin/code', { code })).statusCode, 422, 'the same code cannot be used twice')
  t.equal((await replay.post('/signin/code', { code: codeAt(secret) })).statusCode, 303, 'the current one can')
})

t.test('a pending sign-in cannot be forged, and expires with a password change', async (t) => {
  const user = await createUser(app, { email: 'fay@example.com' })
  const agent = new Agent(app)
  await agent.signIn(user.email, password)
  await enrol(t, agent, user.id)
  const forged = new Agent(app)
  forged.setCookie(pendingCookie, Buffer.from(JSON.stringify({ sub: user.id, sv: 0, step: 'code', exp: Date.now() + 60_000 })).toString('base64url'))
  const res = await forged.get('/signin/code')
  t.equal(res.statusCode, 303, 'an unsigned pending cookie is sent back to sign in')
  t.equal(res.headers.location, '/signin')

  const pending = await passwordStep(t, user.email)
  await db.updateTable('users').set((eb) => ({ session_version: eb('session_version', '+', 1) })).where('id', '=', user.id).execute()
  const after = await pending.post('/signin/code', { code: codeAt(await secretOf(user.id)) })
  t.equal(after.statusCode, 303)
  t.equal(after.headers.location, '/signin', 'a pending sign-in from before a password change is void')
  t.notOk(pending.has(sessionCookie))
})

t.test('recovery codes: each signs in once', async (t) => {
  const user = await createUser(app, { email: 'rex@example.com', name: 'Rex Recovery' })
  const agent = new Agent(app)
  await agent.signIn(user.email, password)
  const codes = await enrol(t, agent, user.id)

  const lost = await passwordStep(t, user.email)
  const res = await lost.post('/signin/code', { code: codes[0]!.toUpperCase().replace('-', ' ') })
  t.equal(res.statusCode, 303, 'a recovery code signs in, however it is typed')
  t.ok(lost.has(sessionCookie))
  t.match((await lost.get('/admin')).body, 'You signed in with a recovery code')

  const again = await passwordStep(t, user.email)
  const reused = await again.post('/signin/code', { code: codes[0]! })
  t.equal(reused.statusCode, 422, 'the same recovery code is refused the second time')
  t.notOk(again.has(sessionCookie))
  t.equal((await again.post('/signin/code', { code: codes[1]! })).statusCode, 303, 'another one works')
  const left = await db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).where('used_at', 'is', null).execute()
  t.equal(left.length, 8)
  t.match((await agent.get('/account/two-factor')).body, '8 recovery codes are left', 'the page counts the unused codes')

  const renewed = await agent.post('/account/two-factor/recovery-codes', { password })
  const fresh = recoveryCodesIn(renewed.body)
  t.equal(fresh.length, 10, 'new codes on demand, with the password')
  const old = await passwordStep(t, user.email)
  t.equal((await old.post('/signin/code', { code: codes[2]! })).statusCode, 422, 'the old codes stop working')
})

t.test('code attempts are rate-limited per person, not per client', async (t) => {
  const user = await createUser(app, { email: 'gus@example.com' })
  const agent = new Agent(app)
  await agent.signIn(user.email, password)
  await enrol(t, agent, user.id)
  const secret = await secretOf(user.id)
  const wrong = codeAt(secret) === '111111' ? '222222' : '111111'
  for (let i = 1; i <= 5; i++) {
    const client = await passwordStep(t, user.email)
    t.equal((await client.post('/signin/code', { code: wrong })).statusCode, 422, `attempt ${i} is checked`)
  }
  const client = await passwordStep(t, user.email)
  const blocked = await client.post('/signin/code', { code: codeAt(secret) })
  t.equal(blocked.statusCode, 429, 'the sixth, from yet another client, is refused even with the right code')
  t.match(blocked.body, 'Too many codes tried')
  t.notOk(client.has(sessionCookie))
})

t.test('turning it off takes the password and a current code', async (t) => {
  const user = await createUser(app, { email: 'otto@example.com' })
  const agent = new Agent(app)
  await agent.signIn(user.email, password)
  await enrol(t, agent, user.id)
  const secret = await secretOf(user.id)
  t.equal((await agent.post('/account/two-factor/disable', { password: 'wrong-password-here', code: codeAt(secret) })).statusCode, 422)
  t.equal((await agent.post('/account/two-factor/disable', { password, code: '000000' === codeAt(secret) ? '999999' : '000000' })).statusCode, 422)
  const res = await agent.post('/account/two-factor/disable', { password, code: codeAt(secret) })
  t.equal(res.statusCode, 303)
  const row = await db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow()
  t.same(row, { totp_secret: null, totp_enabled_at: null })
  t.equal((await new Agent(app).signIn(user.email, password)).headers.location, '/admin', 'the password alone signs in again')
})

t.test('required for all staff: a staff admin must use it first; staff without it set it up before reaching anything', async (t) => {
  const admin = await createUser(app, { email: 'sara@example.com', name: 'Sara Secure', role: 'admin' })
  const member = await createUser(app, { email: 'stan@example.com', name: 'Stan Staff' })
  const adminAgent = new Agent(app)
  await adminAgent.signIn(admin.email, password)
  const memberAgent = new Agent(app)
  await memberAgent.signIn(member.email, password)

  const refused = await adminAgent.post('/admin/two-factor-requirement', { required: 'on' })
  t.equal(refused.statusCode, 409, 'not before the admin uses it')
  t.match(refused.body, 'Turn on two-factor sign-in for yourself first.')
  t.equal((await memberAgent.post('/admin/two-factor-requirement', { required: 'on' })).statusCode, 403, 'a staff member who is not an admin cannot')

  await enrol(t, adminAgent, admin.id)
  const res = await adminAgent.post('/admin/two-factor-requirement', { required: 'on' })
  t.equal(res.statusCode, 303)
  t.equal((await adminAgent.get('/admin')).statusCode, 200, 'the admin, who uses it, stays signed in')
  t.equal((await memberAgent.get('/admin')).statusCode, 303, 'staff without it are signed out')

  const setup = await passwordStep(t, member.email)
  const location = (await setup.post('/signin', { email: member.email, password })).headers.location
  t.equal(location, '/signin/two-factor', 'taken to set it up right after the password')
  for (const url of ['/admin', '/account', '/account/sessions']) {
    const res = await setup.get(url)
    t.equal(res.statusCode, 303, `${url} is out of reach before it is set up`)
  }
  t.equal((await setup.get('/signin/code')).headers.location, '/signin/two-factor', 'the code step sends back to the set-up')
  const page = await setup.get('/signin/two-factor')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Set up two-factor sign-in')
  t.match(page.body, /data:image\/svg\+xml;base64,/)
  t.equal((await setup.post('/signin/two-factor', { code: '12345' })).statusCode, 422)
  const done = await setup.post('/signin/two-factor', { code: codeAt(await secretOf(member.id)) })
  t.equal(done.statusCode, 200)
  t.equal(recoveryCodesIn(done.body).length, 10, 'recovery codes shown')
  t.ok(setup.has(sessionCookie), 'signed in once it is set up')
  t.equal((await setup.get('/admin')).statusCode, 200)

  const off = await setup.post('/account/two-factor/disable', { password, code: codeAt(await secretOf(member.id)) })
  t.equal(off.statusCode, 409, 'cannot be turned off while required')
  t.match(off.body, 'required for all staff')

  const partner = await createActivePartner(app, 'unrequired')
  t.equal((await new Agent(app).signIn(partner.email, partnerPassword)).headers.location, '/portal', 'partners are not covered by the staff requirement')
  t.equal((await adminAgent.post('/admin/staff', { email: 'ivy@example.com', name: 'Ivy Invited', role: 'member' })).statusCode, 303)
  const invitation = await db.selectFrom('mail_outbox').select('body').where('to_address', '=', 'ivy@example.com').executeTakeFirstOrThrow()
  const link = /http:\/\/portal\.test(\/invite\/[\w-]+)/.exec(invitation.body)![1]!
  const invitee = new Agent(app)
  await invitee.get(link)
  const accepted = await invitee.post(link, { password: 'juniper-anchor-meadow', confirm: 'juniper-anchor-meadow' })
  t.equal(accepted.headers.location, '/signin/two-factor', 'a staff member accepting an invitation sets it up before anything else too')
  t.notOk(invitee.has(sessionCookie))

  const entry = await db.selectFrom('audit_log').select(['action', 'after']).where('action', '=', 'two-factor.required').executeTakeFirstOrThrow()
  t.ok(entry, 'audited')
  t.equal((await adminAgent.post('/admin/two-factor-requirement', { required: 'off' })).statusCode, 303)
})

t.test('required by a company: its people set it up at sign-in; other companies are not covered', async (t) => {
  const north = await createActivePartner(app, 'northreq')
  const south = await createActivePartner(app, 'southreq')
  const employee = await createEmployee(app, north.partner.id, 'emma@northreq.example')
  const admin = new Agent(app)
  await admin.signIn(north.email, partnerPassword)
  const member = new Agent(app)
  await member.signIn(employee.email, partnerPassword)
  t.equal((await member.post('/portal/two-factor-requirement', { required: 'on' })).statusCode, 403, 'an employee cannot require it')

  await enrol(t, admin, north.admin.id, partnerPassword)
  t.equal((await admin.post('/portal/two-factor-requirement', { required: 'on' })).statusCode, 303)
  t.match((await admin.get('/account/two-factor')).body, 'is <strong>required</strong> for everyone in your company')
  t.equal((await member.get('/portal')).statusCode, 303, 'the employee without it is signed out')

  const again = new Agent(app)
  await again.get('/signin')
  const res = await again.post('/signin', { email: employee.email, password: partnerPassword })
  t.equal(res.headers.location, '/signin/two-factor')
  t.notOk(again.has(sessionCookie))
  t.equal((await again.get('/portal')).statusCode, 303)

  const southAdmin = new Agent(app)
  t.equal((await southAdmin.signIn(south.email, partnerPassword)).headers.location, '/portal', 'another company is not covered')
  const southPage = (await southAdmin.get('/account/two-factor')).body
  t.match(southPage, 'Turn it on for yourself first', 'its admin is offered the requirement for their own company')
  t.notMatch(southPage, '<strong>required</strong>')
})

t.test('a staff admin resets someone’s lost second factor: audited, signed out, e-mailed', async (t) => {
  const admin = await createUser(app, { email: 'rita@example.com', name: 'Rita Reset', role: 'admin' })
  const person = await createUser(app, { email: 'lou@example.com', name: 'Lou Lost' })
  const adminAgent = new Agent(app)
  await adminAgent.signIn(admin.email, password)
  const personAgent = new Agent(app)
  await personAgent.signIn(person.email, password)
  await enrol(t, personAgent, person.id)
  t.match((await adminAgent.get(`/admin/staff/${person.id}`)).body, 'Reset two-factor sign-in')

  const partner = await createActivePartner(app, 'resetter')
  const partnerAgent = new Agent(app)
  await partnerAgent.signIn(partner.email, partnerPassword)
  t.equal((await partnerAgent.post(`/admin/users/${person.id}/two-factor/reset`)).statusCode, 403, 'a partner admin cannot')

  const res = await adminAgent.post(`/admin/users/${person.id}/two-factor/reset`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/admin/staff/${person.id}`)
  const row = await db.selectFrom('users').select(['totp_enabled_at']).where('id', '=', person.id).executeTakeFirstOrThrow()
  t.equal(row.totp_enabled_at, null)
  t.equal((await db.selectFrom('recovery_codes').select('id').where('user_id', '=', person.id).execute()).length, 0, 'recovery codes gone')
  t.equal((await personAgent.get('/admin')).statusCode, 303, 'their sessions are ended')
  const entry = await db.selectFrom('audit_log').select(['actor_id']).where('entity_id', '=', person.id).where('action', '=', 'user.two-factor-reset').executeTakeFirstOrThrow()
  t.equal(entry.actor_id, admin.id, 'audited with who did it')
  const mail = await db.selectFrom('mail_outbox').select(['subject', 'body']).where('to_address', '=', person.email).executeTakeFirstOrThrow()
  t.equal(mail.subject, 'Your two-factor sign-in was reset')
  t.match(mail.body, 'Rita Reset reset the two-factor sign-in')
  t.equal((await new Agent(app).signIn(person.email, password)).headers.location, '/admin', 'they sign in with the password again')
  t.equal((await adminAgent.post(`/admin/users/${person.id}/two-factor/reset`)).statusCode, 409, 'nothing to reset twice')

  await enrol(t, partnerAgent, partner.admin.id, partnerPassword)
  t.match((await adminAgent.get(`/admin/partners/${partner.partner.id}`)).body, 'Reset two-factor sign-in', 'a partner’s people are reset from their company’s page')
  const partnerReset = await adminAgent.post(`/admin/users/${partner.admin.id}/two-factor/reset`)
  t.equal(partnerReset.headers.location, `/admin/partners/${partner.partner.id}`)
  t.equal((await partnerAgent.get('/portal')).statusCode, 303, 'and signed out')
})
