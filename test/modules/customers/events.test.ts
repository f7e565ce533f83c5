import t from 'tap'
import { Conflict } from '../../../core/lib/errors.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { buildTestApp, createUser } from '../../helper.ts'
import { accountForm, createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { receiveEvents } from '../../fixtures/events.ts'
import { registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

const { app } = await buildTestApp(t)
const { customers, customersAdmin, opportunities } = app.diContainer.cradle
const delivered = receiveEvents(app, ['customer.created', 'customer.updated', 'customer.removed', 'customer.reassigned'])

t.test('an account\'s creation, changes, move to another partner and removal reach subscribers in order', async (t) => {
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const viewer = await viewerFor(app, acme.admin.id)
  const staff = await createUser(app, { email: 'mover@staff.example', role: 'admin' })
  await delivered()

  const id = await customers.createAccount(viewer, accountForm({ name: 'Globex' }))
  await customers.updateAccount(viewer, id, accountForm({ name: 'Globex', city: 'Springfield' }))
  await customers.updateAccount(viewer, id, accountForm({ name: 'Globex', city: 'Springfield' }))
  t.match(await delivered(), [
    { name: 'customer.created', subject: id, payload: { accountId: id, partnerId: acme.partner.id, name: 'Globex', source: 'form', by: acme.admin.id } },
    { name: 'customer.updated', subject: id, payload: { changed: ['city'], by: acme.admin.id } }
  ], 'a save that changes nothing tells nobody')

  const gone = await customers.createAccount(viewer, accountForm({ name: 'Initech' }))
  await delivered()
  await customers.removeAccount(viewer, gone)
  t.match(await delivered(), [{ name: 'customer.removed', subject: gone, payload: { accountId: gone, name: 'Initech', partnerId: acme.partner.id } }])

  await customersAdmin.reassign({ id: staff.id, name: staff.name }, id, other.partner.id)
  t.match(await delivered(), [{ name: 'customer.reassigned', subject: id, payload: { fromPartnerId: acme.partner.id, toPartnerId: other.partner.id, by: staff.id } }])
})

t.test('an account with an open deal is refused by the opportunities module\'s handler, and nobody hears of it', async (t) => {
  const acme = await createActivePartner(app, 'busy')
  const viewer = await viewerFor(app, acme.admin.id)
  const { accountId } = await createCustomer(app, acme.admin.id, 'Umbrella')
  await opportunities.register(viewer, parseForm(RegistrationForm, registrationForm(accountId)))
  await delivered()
  await t.rejects(customers.removeAccount(viewer, accountId), new Conflict('Umbrella cannot be removed: it still has 1 open opportunity.'))
  t.same(await delivered(), [])
  t.ok(await customers.account(viewer, accountId), 'the account is kept')
})
