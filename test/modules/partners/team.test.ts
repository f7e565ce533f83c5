import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'

const invitationLink = async (app: Awaited<ReturnType<typeof buildTestApp>>['app'], to: string) => {
  const mail = await app.diContainer.cradle.db.selectFrom('mail_outbox').select('body').where('to_address', '=', to)
    .orderBy('created_at', 'desc').executeTakeFirstOrThrow()
  return new URL(/http:\/\/portal\.test(\/invite\/\S+)/.exec(mail.body)![1]!, 'http://portal.test').pathname
}

t.test('a partner admin invites an employee who joins through the single-use link', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)

  const refused = await admin.post('/portal/team', {
    name: 'Eve Employee', email: 'not-an-address', customers_scope: 'company', customers_create: 'on', opportunities_scope: 'own', cases_scope: 'own', grant_acceptOffers: 'on'
  })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /<option value="company" selected>The whole company’s<\/option>/, 'the access chosen is shown again, not the defaults')
  t.match(refused.body, /name="customers_create"[^>]* checked/)
  t.match(refused.body, /name="grant_acceptOffers" checked> May accept or reject opportunities offered to the company/)

  const invite = await admin.post('/portal/team', {
    name: 'Eve Employee', email: 'eve@acme.example', job_title: 'Sales',
    customers_scope: 'company', customers_create: 'on', opportunities_scope: 'own', cases_scope: 'none', grant_acceptOffers: 'on'
  })
  t.equal(invite.statusCode, 303)
  const { db } = app.diContainer.cradle
  const eve = await db.selectFrom('users').selectAll().where('email', '=', 'eve@acme.example').executeTakeFirstOrThrow()
  t.match(eve, { status: 'invited', partner_id: acme.partner.id, role: 'member', password_hash: null })
  t.match(eve.permissions, { customers: { scope: 'company', create: true, edit: false }, opportunities: { scope: 'own' }, acceptOffers: true })
  t.match(eve.permissions, { cases: { scope: 'none' } }, 'every enabled area as chosen')

  const link = await invitationLink(app, 'eve@acme.example')
  const token = await db.selectFrom('user_tokens').select('token_hash').where('user_id', '=', eve.id).executeTakeFirstOrThrow()
  t.notOk(link.includes(token.token_hash), 'only the hash is stored')
  const employee = new Agent(app)
  t.match((await employee.get(link)).body, /Welcome, Eve Employee/)
  const weak = await employee.post(link, { password: 'short', confirm: 'short' })
  t.equal(weak.statusCode, 422)
  t.match(weak.body, /Password must be 12 to 128 characters long/)
  const mismatch = await employee.post(link, { password: 'eve-password-1', confirm: 'eve-password-2' })
  t.match(mismatch.body, /The two passwords are not the same/)
  const joined = await employee.post(link, { password: 'eve-password-1', confirm: 'eve-password-1' })
  t.equal(joined.statusCode, 303)
  t.equal(joined.headers.location, '/portal')
  t.equal((await employee.get('/portal')).statusCode, 200)
  t.equal((await employee.get('/portal/team')).statusCode, 403, 'employees do not manage the team')

  const reused = await new Agent(app).get(link)
  t.equal(reused.statusCode, 404, 'the link works once')
  t.match(reused.body, /already been used or has expired/)
  t.equal((await new Agent(app).post(link, { password: 'other-password-1', confirm: 'other-password-1' })).statusCode, 404)
})

t.test('an expired invitation is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  await admin.post('/portal/team', { name: 'Late Larry', email: 'larry@acme.example', customers_scope: 'own', opportunities_scope: 'own', cases_scope: 'own' })
  const link = await invitationLink(app, 'larry@acme.example')
  await app.diContainer.cradle.db.updateTable('user_tokens').set({ expires_at: sql`now() - interval '1 minute'` }).execute()
  t.equal((await new Agent(app).get(link)).statusCode, 404)
  const resent = await admin.post(`/portal/team/${(await app.diContainer.cradle.db.selectFrom('users').select('id').where('email', '=', 'larry@acme.example').executeTakeFirstOrThrow()).id}/resend`)
  t.equal(resent.statusCode, 303, 'the admin can send a fresh link')
  const fresh = await invitationLink(app, 'larry@acme.example')
  t.not(fresh, link)
  t.equal((await new Agent(app).get(fresh)).statusCode, 200)
})

t.test('invite form validation changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const base = { name: 'Val', email: 'val@acme.example', customers_scope: 'own', opportunities_scope: 'own', cases_scope: 'own' }
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ name: '' }, /Name is required/],
    [{ name: '<script>x</script>' }, /Name must not contain/],
    [{ email: 'nope' }, /E-mail must be an e-mail address/],
    [{ email: acme.email }, /already has an account/],
    [{ customers_scope: 'everything' }, /Choose an access level for customers/]
  ]
  for (const [change, message] of cases) {
    const res = await admin.post('/portal/team', { ...base, ...change })
    t.equal(res.statusCode, 422)
    t.match(res.body, message)
  }
  const users = await app.diContainer.cradle.db.selectFrom('users').select('email').where('partner_id', '=', acme.partner.id).execute()
  t.equal(users.length, 1)
})

t.test('roles, access removal and the last admin', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const sam = await createEmployee(app, acme.partner.id, 'sam@acme.example')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const employee = new Agent(app)
  await employee.signIn('sam@acme.example', partnerPassword)
  t.equal((await employee.get('/portal')).statusCode, 200)

  const demoteSelf = await admin.post(`/portal/team/${acme.admin.id}/role`, { role: 'member' })
  t.equal(demoteSelf.statusCode, 409, 'the last admin cannot stop being admin')
  t.match(demoteSelf.body, /at least one active partner admin/)
  t.equal((await admin.post(`/portal/team/${acme.admin.id}/remove`)).statusCode, 409, 'nor remove themselves')

  t.equal((await admin.post(`/portal/team/${sam.id}/remove`)).statusCode, 303)
  const next = await employee.get('/portal')
  t.equal(next.statusCode, 303, 'removal acts on the very next request')
  t.match(next.headers.location as string, /^\/signin/)
  t.equal((await new Agent(app).post('/signin', { email: 'sam@acme.example', password: partnerPassword })).statusCode, 422, 'and they cannot sign in')

  t.equal((await admin.post(`/portal/team/${sam.id}/restore`)).statusCode, 303)
  t.equal((await admin.post(`/portal/team/${sam.id}/role`, { role: 'admin' })).statusCode, 303)
  t.equal((await admin.post(`/portal/team/${acme.admin.id}/role`, { role: 'member' })).statusCode, 303, 'with another admin, the first may step down')
  t.equal((await admin.get('/portal/team')).statusCode, 303, 'and their admin pages close at once')
})

t.test('permissions are edited per employee and apply on the next request', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const sam = await createEmployee(app, acme.partner.id, 'sam@acme.example')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const page = await admin.get(`/portal/team/${sam.id}`)
  t.match(page.body, /name="customers_scope"/)
  const saved = await admin.post(`/portal/team/${sam.id}/permissions`, { customers_scope: 'none', opportunities_scope: 'company', cases_scope: 'own', opportunities_edit: 'on', grant_acceptOffers: 'on' })
  t.equal(saved.statusCode, 303)
  const row = await app.diContainer.cradle.db.selectFrom('users').select('permissions').where('id', '=', sam.id).executeTakeFirstOrThrow()
  t.match(row.permissions, { customers: { scope: 'none' }, opportunities: { scope: 'company', edit: true, create: false }, acceptOffers: true })
  const bad = await admin.post(`/portal/team/${sam.id}/permissions`, { customers_scope: 'root', opportunities_scope: 'own', cases_scope: 'own' })
  t.equal(bad.statusCode, 422)
  const unchanged = await app.diContainer.cradle.db.selectFrom('users').select('permissions').where('id', '=', sam.id).executeTakeFirstOrThrow()
  t.same(unchanged.permissions, row.permissions)
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.permissions-changed').execute()
  t.equal(audit.length, 1)
})
