import t from 'tap'
import type { ChannelPermissions } from '../../../core/identity/access.ts'
import { defaultPermissions } from '../../fixtures/permissions.ts'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { accountForm, createCustomer, viewerFor } from '../../fixtures/customers.ts'

const withCustomers = (customers: ChannelPermissions['customers']): ChannelPermissions => ({ ...defaultPermissions, customers })

t.test('"none" sees no customer menu and every customer page answers 404', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { accountId, contactId } = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  await createEmployee(app, acme.partner.id, 'nobody@acme.example', withCustomers({ scope: 'none', create: true, edit: true, delete: true }))
  const agent = new Agent(app)
  await agent.signIn('nobody@acme.example', partnerPassword)
  t.notMatch((await agent.get('/portal')).body, /href="\/portal\/customers"/, 'no menu entry')
  for (const url of ['/portal/customers', '/portal/customers/new', `/portal/customers/${accountId}`, '/portal/customers/contacts',
    `/portal/customers/contacts/${contactId}`, '/portal/customers/export.csv', '/portal/customers/contacts/export.csv', '/portal/customers/import']) {
    t.equal((await agent.get(url)).statusCode, 404, url)
  }
  t.equal((await agent.post('/portal/customers', accountForm())).statusCode, 404)
  t.equal((await agent.post(`/portal/customers/${accountId}/remove`)).statusCode, 404)
  const found = await app.diContainer.cradle.customers.searchAccounts(await viewerFor(app, acme.admin.id), '', 10)
  t.equal(found.length, 1, 'the partner admin still sees it')
})

t.test('"own records" sees and changes only what they own; "whole company" sees everything', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const own = await createEmployee(app, acme.partner.id, 'own@acme.example', withCustomers({ scope: 'own', create: true, edit: true, delete: false }))
  await createEmployee(app, acme.partner.id, 'all@acme.example', withCustomers({ scope: 'company', create: false, edit: false, delete: false }))
  const mine = await createCustomer(app, own.id, 'Mine Inc', { contact: 'Mina' })
  const theirs = await createCustomer(app, acme.admin.id, 'Theirs Inc', { contact: 'Theo' })

  const ownAgent = new Agent(app)
  await ownAgent.signIn('own@acme.example', partnerPassword)
  const list = await ownAgent.get('/portal/customers')
  t.match(list.body, /Mine Inc/)
  t.notMatch(list.body, /Theirs Inc/)
  t.notMatch(list.body, /name="owner"/, 'no owner filter for "own records"')
  t.notMatch((await ownAgent.get('/portal/customers/export.csv')).body, /Theirs/)
  t.notMatch((await ownAgent.get('/portal/customers/contacts')).body, /Theo/)
  t.equal((await ownAgent.get(`/portal/customers/${theirs.accountId}`)).statusCode, 404)
  t.equal((await ownAgent.get(`/portal/customers/contacts/${theirs.contactId}`)).statusCode, 404)
  t.equal((await ownAgent.post(`/portal/customers/${theirs.accountId}`, accountForm())).statusCode, 404)
  t.equal((await ownAgent.post(`/portal/customers/contacts/${mine.contactId}/move`, { account_id: theirs.accountId! })).statusCode, 404, 'cannot move into someone else’s account')
  t.equal((await ownAgent.post(`/portal/customers/${mine.accountId}`, accountForm({ name: 'Mine Renamed' }))).statusCode, 303)
  t.equal((await ownAgent.post(`/portal/customers/${mine.accountId}/remove`)).statusCode, 403, 'no delete right')
  const created = await ownAgent.post('/portal/customers', accountForm({ name: 'Fresh Ltd' }))
  t.equal(created.statusCode, 303)
  t.match((await ownAgent.get('/portal/customers')).body, /Fresh Ltd/, 'what they create is theirs')

  const allAgent = new Agent(app)
  await allAgent.signIn('all@acme.example', partnerPassword)
  const all = await allAgent.get('/portal/customers')
  t.match(all.body, /Mine Renamed/)
  t.match(all.body, /Theirs Inc/)
  t.notMatch(all.body, /New account/, 'no create right, no button')
  t.equal((await allAgent.post('/portal/customers', accountForm())).statusCode, 403)
  t.equal((await allAgent.post(`/portal/customers/${theirs.accountId}`, accountForm())).statusCode, 403)
  t.equal((await allAgent.get('/portal/customers/import')).statusCode, 403)

  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const mineOnly = await admin.get('/portal/customers?owner=mine')
  t.match(mineOnly.body, /Theirs Inc/)
  t.notMatch(mineOnly.body, /Mine Renamed/, 'the owner filter')
  t.equal((await admin.post(`/portal/customers/${mine.accountId}`, accountForm({ name: 'Mine Renamed', owner_id: acme.admin.id }))).statusCode, 303, 'a company-wide user reassigns the owner')
  t.notMatch((await ownAgent.get('/portal/customers')).body, /Mine Renamed/, 'and the former owner no longer sees it')
})
