import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent, staffPassword } from '../../fixtures/cases.ts'

t.test('canned replies: personal and shared, filled in for the case with its variables', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const id = await openCase(acme.agent, { opportunity_id: acme.dealId, subject: 'Discount approval' })
  const number = (await db.selectFrom('cases').select('number').where('id', '=', id).executeTakeFirstOrThrow()).number
  const desk = await staffAgent(app)
  const colleague = await staffAgent(app, 'colleague@staff.example', 'Cole League')
  const adminUser = await createUser(app, { email: 'boss@staff.example', name: 'Bo Boss', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(adminUser.email, staffPassword)

  const empty = await desk.agent.post('/admin/cases/canned', { title: '', body: '' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Title is required/)
  t.equal((await desk.agent.post('/admin/cases/canned', { title: 'Shared by a member', body: 'x', shared: 'on' })).statusCode, 403, 'only staff admins share')
  t.equal((await desk.agent.post('/admin/cases/canned', { title: 'Discount answer', body: 'Hello {{contact_name}} of {{partner_name}}, about {{case_number}} on {{deal_name}}: approved. {{unknown}}' })).statusCode, 303)
  t.equal((await boss.post('/admin/cases/canned', { title: 'Thanks', body: 'Thank you, {{partner_name}}.', shared: 'on' })).statusCode, 303)
  const [personal, shared] = await Promise.all(['Discount answer', 'Thanks'].map((title) => db.selectFrom('case_canned_replies').selectAll().where('title', '=', title).executeTakeFirstOrThrow()))
  t.equal(shared!.owner_id, null)

  t.match((await desk.agent.get('/admin/cases/canned')).body, /Discount answer[\s\S]*Yours|Yours[\s\S]*Discount answer/)
  const theirs = (await colleague.agent.get('/admin/cases/canned')).body
  t.notMatch(theirs, 'Discount answer', 'a colleague never sees another’s own replies')
  t.match(theirs, 'Thanks', 'but sees the shared ones')
  t.equal((await colleague.agent.get(`/admin/cases/canned/${personal!.id}`)).statusCode, 404)
  t.equal((await colleague.agent.post(`/admin/cases/canned/${personal!.id}/remove`)).statusCode, 404)
  t.equal((await colleague.agent.post(`/admin/cases/canned/${shared!.id}`, { title: 'Hijacked', body: 'x' })).statusCode, 403, 'a member does not change a shared one')

  const page = await desk.agent.get(`/admin/cases/${id}?canned=${personal!.id}`)
  t.match(page.body, `Hello acme Admin of acme Ltd, about CASE-${number} on acme deal: approved. {{unknown}}`, 'the variables are filled in for the case')
  t.notMatch((await colleague.agent.get(`/admin/cases/${id}?canned=${personal!.id}`)).body, 'approved.', 'not with another’s reply')
  await desk.agent.post(`/admin/cases/${id}/replies`, { body: `Thank you, acme Ltd.`, next_status: '' })
  t.match((await acme.agent.get(`/portal/cases/${id}`)).body, 'Thank you, acme Ltd.')
})
