import t from 'tap'
import { adminPermissions } from '../../fixtures/permissions.ts'
import { Agent, buildTestApp } from '../../helper.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'

const ownerOf = (html: string) => /<select id="f-owner_id"[\s\S]*?<\/select>/.exec(html)?.[0] ?? ''

t.test('a deal is given to a colleague who works on deals; they are told, and it follows them', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const { db } = app.diContainer.cradle
  const id = String((await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Till rollout' }))).headers.location).split('/').pop()!
  const sid = await createEmployee(app, acme.partner.id, 'sid@acme.example', { ...adminPermissions, opportunities: { scope: 'own', create: true, edit: true, delete: false } })
  const nobody = await createEmployee(app, acme.partner.id, 'nobody@acme.example', { ...adminPermissions, opportunities: { scope: 'none', create: false, edit: false, delete: false } })
  const reader = await createEmployee(app, acme.partner.id, 'reader@acme.example', { ...adminPermissions, opportunities: { scope: 'company', create: false, edit: false, delete: false } })
  const other = await createActivePartner(app, 'other')
  const owner = async () => (await db.selectFrom('opportunities').select('owner_id').where('id', '=', id).executeTakeFirstOrThrow()).owner_id

  const select = ownerOf((await agent.get(`/portal/opportunities/${id}`)).body)
  t.match(select, /<option value="[^"]+" selected>acme Admin<\/option>/, 'the owner is chosen')
  t.match(select, />sid<\/option>/, 'a colleague who works on deals can be chosen')
  t.notMatch(select, />nobody<\/option>/, 'one without access to deals cannot')

  for (const [ownerId, why] of [[nobody.id, 'someone without access to deals'], [other.admin.id, 'another company’s person'], ['not-an-id', 'a malformed id']] as const) {
    const refused = await agent.post(`/portal/opportunities/${id}/assign`, { owner_id: ownerId })
    t.equal(refused.statusCode, 422, why)
    t.match(refused.body, /Choose someone from your team who works on deals|Choose who should own the deal/)
  }
  t.equal(await owner(), acme.admin.id, 'nothing changed')

  const given = await agent.post(`/portal/opportunities/${id}/assign`, { owner_id: sid.id })
  t.equal(given.statusCode, 303)
  t.equal(await owner(), sid.id)
  t.match((await agent.get(`/portal/opportunities/${id}`)).body, /Assigned to sid\./, 'the timeline says so')
  const mail = await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'sid@acme.example').execute()
  t.same(mail.map((m) => m.subject), ['Deal assigned to you: Till rollout'], 'the new owner is e-mailed')
  t.match(mail[0]!.body, new RegExp(`/portal/opportunities/${id}`))

  const sidAgent = new Agent(app)
  await sidAgent.signIn('sid@acme.example', partnerPassword)
  t.match((await sidAgent.get('/portal/opportunities')).body, /Till rollout/, 'someone who sees only their own deals now sees it')
  t.equal((await sidAgent.post(`/portal/opportunities/${id}/assign`, { owner_id: acme.admin.id })).statusCode, 403, 'but cannot give deals away')
  t.notMatch((await sidAgent.get(`/portal/opportunities/${id}`)).body, /f-owner_id/, 'and is not offered the choice')

  const readerAgent = new Agent(app)
  await readerAgent.signIn(reader.email, partnerPassword)
  t.equal((await readerAgent.post(`/portal/opportunities/${id}/assign`, { owner_id: reader.id })).statusCode, 403, 'nor can someone who may not edit deals')

  const outsider = new Agent(app)
  await outsider.signIn(other.email, other.password)
  t.equal((await outsider.post(`/portal/opportunities/${id}/assign`, { owner_id: other.admin.id })).statusCode, 404, 'another company gets a 404')
  t.equal(await owner(), sid.id, 'and nothing changed')

  await agent.post(`/portal/opportunities/${id}/lose`, { reason: 'Went with a rival' })
  t.equal((await agent.post(`/portal/opportunities/${id}/assign`, { owner_id: acme.admin.id })).statusCode, 409, 'a closed deal keeps its owner')
})

t.test('someone who sees the whole company narrows the pipeline to their own deals', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const sid = await createEmployee(app, acme.partner.id, 'sid@acme.example', { ...adminPermissions, opportunities: { scope: 'own', create: true, edit: true, delete: false } })
  await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Admin deal' }))
  const given = String((await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Sid deal' }))).headers.location).split('/').pop()!
  await agent.post(`/portal/opportunities/${given}/assign`, { owner_id: sid.id })
  const other = await createActivePartner(app, 'other')
  const otherAccount = await createCustomer(app, other.admin.id, 'Initech')
  const otherAgent = new Agent(app)
  await otherAgent.signIn(other.email, other.password)
  const shared = String((await otherAgent.post('/portal/opportunities', registrationForm(otherAccount.accountId, { name: 'Shared deal' }))).headers.location).split('/').pop()!
  await app.diContainer.cradle.opportunities.setCollaborator((await createStaffDeal(app)).staff, shared, acme.partner.id, true)

  const names = (html: string) => [...html.matchAll(/>(\w+ deal)</g)].map((m) => m[1]).sort()
  t.same(names((await agent.get('/portal/opportunities')).body), ['Admin deal', 'Shared deal', 'Sid deal'], 'all deals at first')
  const mine = (await agent.get('/portal/opportunities?owner=me')).body
  t.same(names(mine), ['Admin deal'], 'my deals: without a colleague’s, nor those shared by other companies')
  t.match(mine, /<option value="me" selected>My deals<\/option>/)
  t.same(names((await agent.get(`/portal/opportunities?owner=${sid.id}`)).body), ['Admin deal', 'Shared deal', 'Sid deal'], 'anything else is ignored')

  const sidAgent = new Agent(app)
  await sidAgent.signIn('sid@acme.example', partnerPassword)
  const sidList = (await sidAgent.get('/portal/opportunities')).body
  t.notMatch(sidList, /id="owner"/, 'someone who sees only their own deals has no such choice')
  t.same(names(sidList), ['Shared deal', 'Sid deal'])
})
