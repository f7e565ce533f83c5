import t from 'tap'
import { sql } from 'kysely'
import { sessionCookie } from '../../core/identity/auth/session.ts'
import { Conflict } from '../../core/lib/errors.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const boss = await createUser(app, { email: 'boss@example.com', role: 'admin', name: 'Bo Boss' })
const admin = new Agent(app)
await admin.signIn(boss.email, 'correct-horse-battery')

const newPassword = 'a-brand-new-password'

/** The invitation link from the last mail to the address, as the invitee would click it. */
async function invitationPath(to: string): Promise<string> {
  const mail = await db.selectFrom('mail_outbox').select('body').where('to_address', '=', to)
    .orderBy('created_at', 'desc').executeTakeFirstOrThrow()
  const link = /http:\/\/portal\.test(\/invite\/[\w-]+)/.exec(mail.body)?.[1]
  if (!link) throw new Error(`no invitation link in: ${mail.body}`)
  return link
}

async function counts() {
  const users = await db.selectFrom('users').select('id').execute()
  const mails = await db.selectFrom('mail_outbox').select('id').execute()
  const audits = await db.selectFrom('audit_log').select('id').execute()
  return { users: users.length, mails: mails.length, audits: audits.length }
}

t.test('a staff admin invites a staff member, who sets a password through the link once', async (t) => {
  const res = await admin.post('/admin/staff', { email: 'Nina.New@Example.com', name: 'Nina New', role: 'member' })
  t.equal(res.statusCode, 303)
  const invited = await db.selectFrom('users').selectAll().where('email', '=', 'nina.new@example.com').executeTakeFirstOrThrow()
  t.equal(res.headers.location, `/admin/staff/${invited.id}`)
  t.equal(invited.status, 'invited')
  t.equal(invited.password_hash, null)
  t.match((await admin.get(res.headers.location as string)).body, 'Invitation sent to nina.new@example.com.')

  const link = await invitationPath('nina.new@example.com')
  const token = link.split('/').pop()!
  const stored = await db.selectFrom('user_tokens').select('token_hash').where('user_id', '=', invited.id).executeTakeFirstOrThrow()
  t.not(stored.token_hash, token, 'only a hash of the token is stored')

  const invitee = new Agent(app)
  const form = await invitee.get(link)
  t.equal(form.statusCode, 200)
  t.match(form.body, 'Nina New')
  const mismatch = await invitee.post(link, { password: newPassword, confirm: 'something-else-entirely' })
  t.equal(mismatch.statusCode, 422)
  t.match(mismatch.body, 'The two passwords are not the same.')
  const short = await invitee.post(link, { password: 'short', confirm: 'short' })
  t.equal(short.statusCode, 422)
  t.match(short.body, 'Password must be 12 to 128 characters long.')

  const accepted = await invitee.post(link, { password: newPassword, confirm: newPassword })
  t.equal(accepted.statusCode, 303)
  t.equal(accepted.headers.location, '/admin')
  t.ok(invitee.has(sessionCookie), 'they are signed in')
  t.match((await invitee.get('/admin')).body, /Good to see you, Nina/)
  t.equal((await invitee.get('/admin/staff')).statusCode, 403, 'as plain staff')

  const again = new Agent(app)
  const reused = await again.get(link)
  t.equal(reused.statusCode, 404, 'the link cannot be used twice')
  t.match(reused.body, /already been used or has expired/)
  t.equal((await again.post(link, { password: 'hijacked-password', confirm: 'hijacked-password' })).statusCode, 404)
  t.equal((await new Agent(app).signIn('nina.new@example.com', newPassword)).statusCode, 303, 'the password they chose works')
})

t.test('an expired invitation link is refused', async (t) => {
  await admin.post('/admin/staff', { email: 'late@example.com', name: 'Lee Late', role: 'member' })
  const link = await invitationPath('late@example.com')
  const user = await db.selectFrom('users').select('id').where('email', '=', 'late@example.com').executeTakeFirstOrThrow()
  await db.updateTable('user_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.id).execute()
  const invitee = new Agent(app)
  t.equal((await invitee.get(link)).statusCode, 404)
  t.equal((await invitee.post(link, { password: newPassword, confirm: newPassword })).statusCode, 404)
  t.notOk(invitee.has(sessionCookie))
  const after = await db.selectFrom('users').select(['status', 'password_hash']).where('id', '=', user.id).executeTakeFirstOrThrow()
  t.same(after, { status: 'invited', password_hash: null })
})

t.test('sending an invitation again kills the old link', async (t) => {
  await admin.post('/admin/staff', { email: 'again@example.com', name: 'Ann Again', role: 'member' })
  const first = await invitationPath('again@example.com')
  const user = await db.selectFrom('users').select('id').where('email', '=', 'again@example.com').executeTakeFirstOrThrow()
  t.equal((await admin.post(`/admin/staff/${user.id}/resend`)).statusCode, 303)
  const second = await invitationPath('again@example.com')
  t.not(second, first)
  t.equal((await app.inject(first)).statusCode, 404)
  t.equal((await app.inject(second)).statusCode, 200)
})

t.test('the invite form answers 422 with the field message and creates nothing', async (t) => {
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ email: '', name: '', role: 'member' }, 'name', 'Name is required.'],
    [{ email: '', name: 'No Mail', role: 'member' }, 'email', 'E-mail must be an e-mail address like name@example.com.'],
    [{ email: 'not-an-address', name: 'Bad Mail', role: 'member' }, 'email', 'E-mail must be an e-mail address like name@example.com.'],
    [{ email: 'long@example.com', name: 'x'.repeat(121), role: 'member' }, 'name', 'Name must be at most 120 characters.'],
    [{ email: 'xss@example.com', name: '<script>alert(1)</script>', role: 'member' }, 'name', 'Name must not contain &lt; or &gt;.'],
    [{ email: 'role@example.com', name: 'Rita Role', role: 'owner' }, 'role', 'Choose one of the offered values for Role.'],
    [{ email: 'boss@example.com', name: 'Second Boss', role: 'member' }, 'email', 'boss@example.com already has an account.']
  ]
  const before = await counts()
  for (const [form, field, message] of cases) {
    const res = await admin.post('/admin/staff', form)
    t.equal(res.statusCode, 422, `${field}: ${message}`)
    t.match(res.body, message)
    t.match(res.body, new RegExp(`id="f-${field}"[^>]*aria-invalid="true"`), `${field} is marked`)
    t.notMatch(res.body, '<script>alert', 'what was typed is escaped')
  }
  t.same(await counts(), before, 'no user, mail or audit entry was created')
})

t.test('the last active staff admin cannot be demoted or deactivated', async (t) => {
  const admins = await db.selectFrom('users').select('id')
    .where('kind', '=', 'staff').where('role', '=', 'admin').where('status', '=', 'active').execute()
  t.same(admins.map((a) => a.id), [boss.id], 'the boss is the only admin')
  const demote = await admin.post(`/admin/staff/${boss.id}/role`, { role: 'member' })
  t.equal(demote.statusCode, 409)
  t.match(demote.body, 'The portal must keep at least one active staff admin.')
  const deactivate = await admin.post(`/admin/staff/${boss.id}/deactivate`)
  t.equal(deactivate.statusCode, 409)
  const still = await db.selectFrom('users').select(['role', 'status']).where('id', '=', boss.id).executeTakeFirstOrThrow()
  t.same(still, { role: 'admin', status: 'active' })
  t.equal((await admin.get('/admin/staff')).statusCode, 200, 'and stays signed in as an admin')
})

t.test('with a second admin, one may step down', async (t) => {
  const deputy = await createUser(app, { email: 'deputy@example.com', role: 'admin' })
  t.equal((await admin.post(`/admin/staff/${deputy.id}/role`, { role: 'member' })).statusCode, 303)
  t.equal((await admin.post(`/admin/staff/${deputy.id}/deactivate`)).statusCode, 303)
  t.equal((await admin.post(`/admin/staff/${deputy.id}/reactivate`)).statusCode, 303)
  const after = await db.selectFrom('users').select(['role', 'status']).where('id', '=', deputy.id).executeTakeFirstOrThrow()
  t.same(after, { role: 'member', status: 'active' })
})

t.test('two admins demoting each other at once cannot leave the portal without an admin', async (t) => {
  const one = await createUser(app, { email: 'one@example.com', role: 'admin' })
  const two = await createUser(app, { email: 'two@example.com', role: 'admin' })
  // The boss steps aside so that only these two are admins.
  await db.updateTable('users').set({ role: 'member' }).where('id', '=', boss.id).execute()
  t.teardown(() => db.updateTable('users').set({ role: 'admin' }).where('id', '=', boss.id).execute())
  const { users } = app.diContainer.cradle
  // Warm a second pool connection, so that the two transactions really overlap on PostgreSQL.
  await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db)))
  const results = await Promise.allSettled([
    users.setStaffRole({ id: one.id, name: 'one' }, two.id, 'member'),
    users.setStaffRole({ id: two.id, name: 'two' }, one.id, 'member')
  ])
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'only one demotion succeeds')
  t.type(results.find((r) => r.status === 'rejected')?.reason, Conflict, 'the other is refused as a conflict')
  const left = await db.selectFrom('users').select('id')
    .where('kind', '=', 'staff').where('role', '=', 'admin').where('status', '=', 'active').execute()
  t.equal(left.length, 1, 'one admin is left')
})
