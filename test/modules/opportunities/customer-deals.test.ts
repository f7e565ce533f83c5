import t from 'tap'
import { adminPermissions } from '../../fixtures/permissions.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'

const deals = (html: string) => [...html.matchAll(/>(?:#\d+ )?((?:Globex|Initech) deal \d+)</g)].map((m) => m[1]).sort()
const allLink = (html: string) => /<a href="([^"]+)">All (\d+) opportunities for this customer<\/a>/.exec(html)

t.test('a customer’s page lists its latest deals and leads to all of them, for the partner and for staff', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const { opportunities } = app.diContainer.cradle
  const globex = await createCustomer(app, acme.admin.id, 'Globex')
  const initech = await createCustomer(app, acme.admin.id, 'Initech')
  const elsewhere = await createCustomer(app, other.admin.id, 'Umbrella')
  const mine = await viewerFor(app, acme.admin.id)
  const globexDeals: string[] = []
  for (let i = 1; i <= 12; i++) {
    globexDeals.push(`Globex deal ${i}`)
    await opportunities.register(mine, parseForm(RegistrationForm, registrationForm(globex.accountId, { name: `Globex deal ${i}` })))
  }
  await opportunities.register(mine, parseForm(RegistrationForm, registrationForm(initech.accountId, { name: 'Initech deal 1' })))

  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const account = (await agent.get(`/portal/customers/${globex.accountId}`)).body
  t.equal(deals(account).length, 10, 'the account page shows the ten latest')
  const link = allLink(account)
  t.equal(link?.[2], '12', 'and says how many there are')
  t.equal(link?.[1], `/portal/opportunities?account=${globex.accountId}`)
  t.notOk(allLink((await agent.get(`/portal/customers/${initech.accountId}`)).body), 'no such link when all are shown')

  const list = (await agent.get(link![1]!)).body
  t.same(deals(list), [...globexDeals].sort(), 'the pipeline filtered to the customer has all of its deals, and no other')
  t.match(list, /<p class="chip">Globex <a href="\/portal\/opportunities">Any customer<\/a><\/p>/)
  t.equal((await agent.get(`/portal/opportunities?account=${elsewhere.accountId}`)).statusCode, 404, 'another partner’s customer is not found')
  t.equal((await agent.get('/portal/opportunities?account=not-an-id')).statusCode, 200, 'a malformed one is ignored')

  const colleague = await createEmployee(app, acme.partner.id, 'own@acme.example',
    { ...adminPermissions, customers: { ...adminPermissions.customers, scope: 'own' }, opportunities: { scope: 'own', create: true, edit: true, delete: false } })
  const own = new Agent(app)
  await own.signIn(colleague.email, partnerPassword)
  t.equal((await own.get(`/portal/opportunities?account=${globex.accountId}`)).statusCode, 404, 'nor a colleague’s, for someone who sees only their own')

  await createUser(app, { email: 'avery@example.com', role: 'admin' })
  const staff = new Agent(app)
  await staff.signIn('avery@example.com', 'correct-horse-battery')
  const staffAccount = (await staff.get(`/admin/customers/${globex.accountId}`)).body
  t.equal(allLink(staffAccount)?.[1], `/admin/opportunities?account=${globex.accountId}`, 'staff get the same link to their list')
  const staffList = (await staff.get(`/admin/opportunities?account=${globex.accountId}`)).body
  t.same(deals(staffList), [...globexDeals].sort())
  t.match(staffList, /All <span class="tab-count">12<\/span>/, 'the status tabs count the customer’s deals')
  t.match(staffList, /<p class="chip">Globex <a href="\/admin\/opportunities">Any customer<\/a><\/p>/)
})
