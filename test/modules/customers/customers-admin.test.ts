import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createCustomer } from '../../fixtures/customers.ts'

t.test('staff see every partner’s customers, possible duplicates, and reassign one at once', async (t) => {
  const { app } = await buildTestApp(t)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const adatum = await createCustomer(app, north.admin.id, 'Adatum Corporation', { domain: 'adatum.example', contact: 'Alice' })
  await createCustomer(app, south.admin.id, 'Adatum Corp.', { domain: 'adatum.example' })
  await createCustomer(app, north.admin.id, 'Wingtip Toys')
  await createCustomer(app, south.admin.id, 'WINGTIP TOYS GmbH')
  await createCustomer(app, south.admin.id, 'Solo Ltd')
  await createUser(app, { email: 'staff@example.com', password: 'staff-password-1' })
  const staff = new Agent(app)
  await staff.signIn('staff@example.com', 'staff-password-1')

  const list = await staff.get('/admin/customers')
  t.equal(list.statusCode, 200)
  for (const name of ['Adatum Corporation', 'Adatum Corp.', 'Solo Ltd', 'north Ltd', 'south Ltd']) t.match(list.body, name)
  const filtered = await staff.get(`/admin/customers?partner=${south.partner.id}&q=adatum`)
  t.match(filtered.body, /Adatum Corp\./)
  t.notMatch(filtered.body, /Adatum Corporation/)

  const duplicates = await staff.get('/admin/customers/duplicates')
  t.match(duplicates.body, /Same domain/)
  t.match(duplicates.body, /Similar name/, 'Wingtip Toys and WINGTIP TOYS GmbH')
  t.notMatch(duplicates.body, /Solo Ltd/)

  const page = await staff.get(`/admin/customers/${adatum.accountId}`)
  t.match(page.body, /Managed by/)
  t.match(page.body, /Alice/)
  t.match(page.body, /Also a customer of/)

  const northAgent = new Agent(app)
  await northAgent.signIn(north.email, north.password)
  t.equal((await northAgent.get(`/portal/customers/${adatum.accountId}`)).statusCode, 200)

  const bad = await staff.post(`/admin/customers/${adatum.accountId}/reassign`, { partner_id: 'nope' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Choose the partner who takes the customer over/)
  t.equal((await staff.post(`/admin/customers/${adatum.accountId}/reassign`, { partner_id: north.partner.id })).statusCode, 422, 'already there')

  const moved = await staff.post(`/admin/customers/${adatum.accountId}/reassign`, { partner_id: south.partner.id })
  t.equal(moved.statusCode, 303)
  t.equal((await northAgent.get(`/portal/customers/${adatum.accountId}`)).statusCode, 404, 'the old partner loses access at once')
  t.equal((await northAgent.get(`/portal/customers/contacts/${adatum.contactId}`)).statusCode, 404, 'and to its contacts')
  t.notMatch((await northAgent.get('/portal/customers/export.csv')).body, /Adatum/)
  const southAgent = new Agent(app)
  await southAgent.signIn(south.email, south.password)
  t.equal((await southAgent.get(`/portal/customers/${adatum.accountId}`)).statusCode, 200, 'the new partner has it')
  t.match((await southAgent.get(`/portal/customers/contacts/${adatum.contactId}`)).body, /Alice/, 'with its contacts')
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').selectAll().where('action', '=', 'customer.reassigned').executeTakeFirstOrThrow()
  t.match(audit.before, { partner_id: north.partner.id })
  t.match(audit.after, { partner_id: south.partner.id })

  t.equal((await northAgent.get('/admin/customers')).statusCode, 403, 'partners never reach the staff pages')
  t.equal((await northAgent.get('/admin/customers/duplicates')).statusCode, 403)
})
