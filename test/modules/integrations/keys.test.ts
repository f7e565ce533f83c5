import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'

const tokenIn = (html: string) => /value="(pp_[A-Za-z0-9_-]{43})"/.exec(html)?.[1]

t.test('a partner admin issues a key, sees it once, lists it and revokes it', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const empty = await agent.get('/portal/integrations')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /No API keys yet/)
  t.match((await agent.get('/portal')).body, /href="\/portal\/integrations"/, 'the menu offers it to partner admins')

  const form = await agent.get('/portal/integrations/keys/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /name="customers_scope"/, 'the access grid, to narrow the key')

  const issued = await agent.post('/portal/integrations/keys', { name: 'CRM sync', lifetime: '90', customers_scope: 'company', customers_create: 'on', opportunities_scope: 'own', cases_scope: 'own' })
  t.equal(issued.statusCode, 201)
  t.equal(issued.headers['cache-control'], 'no-store', 'the page with the key is not cached')
  const token = tokenIn(issued.body)
  t.ok(token, 'the key is shown')
  const me = await new ApiClient(app, token).get('/api/v1/me')
  t.equal(me.statusCode, 200)
  t.match(me.json().permissions, { customers: { scope: 'company', create: true, edit: false }, opportunities: { scope: 'own' } }, 'with the access chosen')

  const list = await agent.get('/portal/integrations')
  t.match(list.body, /CRM sync/)
  t.match(list.body, new RegExp(`${token!.slice(0, 10)}…`), 'named by its first characters')
  t.notMatch(list.body, new RegExp(token!), 'never shown again')
  t.match(list.body, /Active/)

  const keyId = me.json().key.id
  const revoked = await agent.post(`/portal/integrations/keys/${keyId}/revoke`)
  t.equal(revoked.statusCode, 303)
  t.match((await agent.get('/portal/integrations')).body, /The key “CRM sync” is revoked[\s\S]*Revoked/)
  t.equal((await new ApiClient(app, token).get('/api/v1/me')).statusCode, 401)
  t.equal((await agent.post(`/portal/integrations/keys/${keyId}/revoke`)).statusCode, 404, 'a revoked key cannot be revoked again')
})

t.test('the form refuses a missing name or lifetime with messages and keeps what was entered', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const res = await agent.post('/portal/integrations/keys', { name: '', lifetime: 'forever', customers_scope: 'own', opportunities_scope: 'company', cases_scope: 'own' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /Give the key a name that says what uses it/)
  t.match(res.body, /Choose how long the key works/)
  t.match(res.body, /name="opportunities_scope"[\s\S]*?value="company" selected/, 'the access chosen is kept')
  const noScope = await agent.post('/portal/integrations/keys', { name: 'X', lifetime: '30' })
  t.equal(noScope.statusCode, 422)
  t.match(noScope.body, /Choose an access level/)
  t.equal((await app.diContainer.cradle.db.selectFrom('api_keys').select('id').execute()).length, 0, 'no key was made')
})

t.test('only partner admins manage their company’s keys; another company’s key answers 404', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'umbrella')
  const otherKey = await issueKey(app, other.admin)
  await createEmployee(app, acme.partner.id, 'mo@acme.example')
  const member = new Agent(app)
  await member.signIn('mo@acme.example', partnerPassword)
  t.equal((await member.get('/portal/integrations')).statusCode, 403)
  t.equal((await member.post('/portal/integrations/keys', { name: 'Mine', lifetime: '30' })).statusCode, 403)
  t.notMatch((await member.get('/portal')).body, /href="\/portal\/integrations"/, 'not in a member’s menu')

  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  t.equal((await admin.post(`/portal/integrations/keys/${otherKey.id}/revoke`)).statusCode, 404)
  t.notMatch((await admin.get('/portal/integrations')).body, /Test integration/, 'another company’s keys are not listed')
  t.equal((await new ApiClient(app, otherKey.token).get('/api/v1/me')).statusCode, 200, 'and it still works')
})

t.test('staff admins issue staff keys under Settings; staff keys act as staff', async (t) => {
  const { app } = await buildTestApp(t)
  await createUser(app, { email: 'boss@staff.example', role: 'admin', password: 'correct-horse-battery' })
  await createUser(app, { email: 'clerk@staff.example', role: 'member', password: 'correct-horse-battery' })
  const boss = new Agent(app)
  await boss.signIn('boss@staff.example', 'correct-horse-battery')
  t.match((await boss.get('/admin')).body, /href="\/admin\/integrations"/)
  const form = await boss.get('/admin/integrations/keys/new')
  t.equal(form.statusCode, 200)
  t.notMatch(form.body, /customers_scope/, 'no partner access grid for a staff key')
  const issued = await boss.post('/admin/integrations/keys', { name: 'Data warehouse', lifetime: 'never' })
  t.equal(issued.statusCode, 201)
  const me = await new ApiClient(app, tokenIn(issued.body)).get('/api/v1/me')
  t.match(me.json(), { kind: 'staff', partnerId: null, key: { name: 'Data warehouse' } })
  t.match((await boss.get('/admin/integrations')).body, /Data warehouse[\s\S]*No expiry/)

  const acme = await createActivePartner(app, 'acme')
  const partnerKey = await issueKey(app, acme.admin)
  t.equal((await boss.post(`/admin/integrations/keys/${partnerKey.id}/revoke`)).statusCode, 404, 'a partner’s key is not a staff key')
  const clerk = new Agent(app)
  await clerk.signIn('clerk@staff.example', 'correct-horse-battery')
  t.equal((await clerk.get('/admin/integrations')).statusCode, 403, 'staff members do not manage keys')
})
