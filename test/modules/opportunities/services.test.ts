import t from 'tap'
import { Invalid } from '../../../core/lib/errors.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { EditForm, RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { buildTestApp } from '../../helper.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal, registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'

const names = (page: { items: Array<{ name: string }> }) => page.items.map((o) => o.name).sort()

t.test('the opportunities service holds a deal to the program\'s options itself, whoever calls it', async (t) => {
  const { app } = await buildTestApp(t)
  const { opportunities } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const viewer = await viewerFor(app, acme.admin.id)
  const juggling = new Invalid({ expertise: 'Choose products and expertise from the list.' })

  await t.rejects(opportunities.register(viewer, parseForm(RegistrationForm, registrationForm(accountId, { expertise: ['Juggling'] }))), juggling)
  await t.rejects(opportunities.register(viewer, parseForm(RegistrationForm, registrationForm(accountId, { expected_close: '2030-02-30' }))),
    new Invalid({ expected_close: 'Expected close date is not a real date.' }))
  const deal = await opportunities.register(viewer, parseForm(RegistrationForm, registrationForm(accountId)))
  await t.rejects(opportunities.edit(viewer, deal.id, parseForm(EditForm, { ...registrationForm(accountId), expertise: ['Juggling'] })), juggling)
  await t.rejects(createStaffDeal(app, { expertise: ['Juggling'] }), juggling)
  const stored = await app.diContainer.cradle.db.selectFrom('opportunities').select('expertise').execute()
  t.same(stored.map((o) => o.expertise), [['Consulting']], 'only the good deal is stored, unchanged')
})

t.test('the pipeline service keeps "own records" to their deals, and "My deals" to the viewer\'s own', async (t) => {
  const { app } = await buildTestApp(t)
  const { opportunities, pipeline } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const sam = await createEmployee(app, acme.partner.id, 'sam@acme.example')
  const admin = await viewerFor(app, acme.admin.id)
  const employee = await viewerFor(app, sam.id)
  const register = async (userId: string, customer: string, name: string) => {
    const { accountId } = await createCustomer(app, userId, customer)
    return opportunities.register(await viewerFor(app, userId), parseForm(RegistrationForm, registrationForm(accountId, { name })))
  }
  await register(acme.admin.id, 'Globex', 'Admin deal')
  await register(sam.id, 'Initech', 'Sam deal')
  const shared = await register(other.admin.id, 'Umbrella', 'Shared deal')
  await opportunities.setCollaborator((await createStaffDeal(app)).staff, shared.id, acme.partner.id, true)

  t.ok(pipeline.ownerChoice(admin), 'who sees the whole company may narrow it to their own')
  t.notOk(pipeline.ownerChoice(employee), '"own records" may not: they see their own already')
  t.same(names(await pipeline.list(admin, {}, 25)), ['Admin deal', 'Sam deal', 'Shared deal'])
  t.same(names(await pipeline.list(admin, { mine: true }, 25)), ['Admin deal'], 'shared deals have no owner here, so they drop out')
  t.same(names(await pipeline.list(employee, {}, 25)), ['Sam deal', 'Shared deal'])
  t.same(names(await pipeline.list(employee, { mine: true }, 25)), ['Sam deal', 'Shared deal'], '"My deals" changes nothing for them')
  const board = await pipeline.board(employee)
  t.same(board.cards.map((c) => c.name), ['Sam deal'], 'the board holds the company\'s own open deals in reach')
})

t.test('the distribution and collaborator rules hold in the services, not only on their pages', async (t) => {
  const { app } = await buildTestApp(t)
  const { distribution, opportunities } = app.diContainer.cradle
  const { deal, staff } = await createStaffDeal(app)
  const rules = await distribution.rules()
  const zero = Object.fromEntries(Object.keys(rules.weights).map((k) => [k, 0])) as unknown as typeof rules.weights
  await t.rejects(distribution.saveRules(staff, { ...rules, weights: zero }), new Invalid({ w_territory: 'Give at least one factor a weight above 0.' }))
  t.same((await distribution.rules()).weights, rules.weights, 'the rules are kept')

  const applicant = await createActivePartner(app, 'applied')
  await app.diContainer.cradle.partners.setSuspended(staff, applicant.partner.id, true, 'Testing suspension')
  await t.rejects(opportunities.setCollaborator(staff, deal.id, applicant.partner.id, true), new Invalid({ partner_id: 'Choose an active partner.' }))
  const active = await createActivePartner(app, 'helper')
  t.equal(await opportunities.setCollaborator(staff, deal.id, active.partner.id, true), 'helper Ltd', 'named when shared')
})
