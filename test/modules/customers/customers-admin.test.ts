import t from 'tap'
import { sql } from 'kysely'
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

  const after = (await staff.get('/admin/customers/duplicates')).body
  t.notMatch(after, /Same domain/, 'both Adatum accounts now at one partner: no longer possible duplicates')
  t.match(after, /Similar name/)

  t.equal((await northAgent.get('/admin/customers')).statusCode, 403, 'partners never reach the staff pages')
  t.equal((await northAgent.get('/admin/customers/duplicates')).statusCode, 403)
})

t.test('the keys partners share are kept through every new account, rename, new domain, move and removal', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const kept = async () => (await sql<{ kind: string; key: string; partners: number }>`
    select kind, key, partners from customer_duplicate_keys order by kind, key`.execute(db)).rows
  const fresh = async () => (await sql<{ kind: string; key: string; partners: number }>`
    select kind, key, count(distinct partner_id)::int as partners from (
      select 'domain' as kind, domain as key, partner_id from customer_accounts where domain is not null
      union all select 'name', name_key, partner_id from customer_accounts) k group by 1, 2 order by 1, 2`.execute(db)).rows
  const agree = async (when: string) => t.same(await kept(), await fresh(), when)

  const a = await createCustomer(app, north.admin.id, 'Adatum Corporation', { domain: 'adatum.example' })
  await createCustomer(app, north.admin.id, 'Adatum', { domain: 'adatum.example' })
  const b = await createCustomer(app, south.admin.id, 'Contoso', { domain: 'contoso.example' })
  await agree('created')
  t.notOk((await kept()).some((k) => k.partners > 1), 'nothing shared yet')

  await sql`update customer_accounts set domain = 'adatum.example' where id = ${b.accountId}`.execute(db)
  await agree('a new domain')
  t.same((await kept()).filter((k) => k.partners > 1).map((k) => k.key), ['adatum.example'])
  await sql`update customer_accounts set name = 'Adatum Corp', name_key = 'adatum' where id = ${b.accountId}`.execute(db)
  await agree('renamed')
  await sql`update customer_accounts set partner_id = ${north.partner.id} where id = ${b.accountId}`.execute(db)
  await agree('moved')
  t.notOk((await kept()).some((k) => k.partners > 1), 'moved to the same partner: nothing shared')
  await sql`delete from customer_accounts where id = ${a.accountId}`.execute(db)
  await agree('removed')

  const before = await kept()
  await sql`select customer_match_keys_rebuild()`.execute(db)
  t.same(await kept(), before, 'a rebuild gives the same keys')
})
