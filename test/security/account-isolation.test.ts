import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { fingerprint } from './isolation.ts'

/**
 * Accounts across people and companies: one person cannot end another's session, a partner admin
 * cannot reset anyone's second factor or require it beyond their company, and a refused request
 * changes nothing.
 */
const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const north = await createActivePartner(app, 'northacct')
const south = await createActivePartner(app, 'southacct')
const southEmployee = await createEmployee(app, south.partner.id, 'sue@southacct.example')
const staff = await createUser(app, { email: 'stella@example.com', name: 'Stella Staff' })

const northAdmin = new Agent(app)
await northAdmin.signIn(north.email, partnerPassword)
const southAgent = new Agent(app)
await southAgent.signIn(southEmployee.email, partnerPassword)
const staffAgent = new Agent(app)
await staffAgent.signIn(staff.email, 'correct-horse-battery')

t.test('another person’s session answers 404 and stays open; nothing changes', async (t) => {
  const theirs = await db.selectFrom('sessions').select('id').where('user_id', '=', southEmployee.id).where('revoked_at', 'is', null).executeTakeFirstOrThrow()
  const before = await fingerprint(app)
  const res = await northAdmin.post(`/account/sessions/${theirs.id}/signout`)
  t.equal(res.statusCode, 404)
  t.same(await fingerprint(app), before, 'no table changed')
  t.equal((await southAgent.get('/portal')).statusCode, 200)
  t.notMatch((await northAdmin.get('/account/sessions')).body, theirs.id, 'and it is not listed')
})

t.test('partners and staff members who are not admins cannot reset a second factor or require it for staff', async (t) => {
  await db.updateTable('users').set({ totp_secret: 'JBSWY3DPEHPK3PXP', totp_enabled_at: new Date() }).where('id', '=', southEmployee.id).execute()
  const before = await fingerprint(app)
  for (const [agent, who] of [[northAdmin, 'a partner admin'], [staffAgent, 'a staff member']] as const) {
    t.equal((await agent.post(`/admin/users/${southEmployee.id}/two-factor/reset`)).statusCode, 403, `${who} cannot reset`)
    t.equal((await agent.post('/admin/two-factor-requirement', { required: 'on' })).statusCode, 403, `${who} cannot require it for staff`)
  }
  t.equal((await southAgent.post('/portal/two-factor-requirement', { required: 'on' })).statusCode, 403, 'an employee cannot require it for their company')
  t.same(await fingerprint(app), before, 'no table changed')
})

t.test('a partner admin’s requirement covers their own company only', async (t) => {
  await db.updateTable('users').set({ totp_secret: 'JBSWY3DPEHPK3PXP', totp_enabled_at: new Date() }).where('id', '=', north.admin.id).execute()
  t.equal((await northAdmin.post('/portal/two-factor-requirement', { required: 'on', partner_id: south.partner.id })).statusCode, 303)
  const rows = await db.selectFrom('two_factor_requirements').select('scope').execute()
  t.same(rows.map((r) => r.scope), [`partner:${north.partner.id}`], 'the requirement names the admin’s company, whatever the form says')
  t.equal((await southAgent.get('/portal')).statusCode, 200, 'the other company’s people stay signed in')
})
