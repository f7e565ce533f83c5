import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { addEndpoint, runJobs } from '../../fixtures/webhooks.ts'

t.test('offers: created when offered, expiring when the partner is reminded, each with the offer', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  await addEndpoint(app, acme.admin.id, receiver.url, ['offer.created', 'offer.expiring'])
  const { deal, staff } = await createStaffDeal(app)
  const { distribution, db, jobs } = app.diContainer.cradle
  await distribution.offer(staff, deal.id, acme.partner.id, 48)
  await runJobs(app)
  t.same(receiver.types(), ['offer.created'])
  const offered = receiver.received[0]!.json.data
  t.match(offered, { opportunityId: deal.id, name: 'Retail chain', customerName: 'Lakeshore Retail', estimatedRevenue: { amount: /^120000/, currency: 'USD' } })

  await db.updateTable('jobs').set({ run_at: sql`now() - interval '1 second'` }).where('kind', '=', 'opportunity.offer-remind').execute()
  await jobs.runDue()
  await runJobs(app)
  t.same(receiver.types(), ['offer.created', 'offer.expiring'])
  t.equal(receiver.received[1]!.json.data.id, offered.id, 'the same offer')
  t.equal(receiver.received[1]!.json.data.deadline, offered.deadline)
})

t.test('a removed customer is sent as its id and name', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  await addEndpoint(app, acme.admin.id, receiver.url, ['customer.removed'])
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  await app.diContainer.cradle.customers.removeAccount(await viewerFor(app, acme.admin.id), accountId)
  await runJobs(app)
  t.same(receiver.received.map((r) => r.json), [{ id: receiver.received[0]!.json.id, type: 'customer.removed', time: receiver.received[0]!.json.time, data: { id: accountId, name: 'Globex' } }])
})

t.test('a suspended company’s endpoints hear nothing until it is reactivated', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  await addEndpoint(app, acme.admin.id, receiver.url, ['customer.updated'])
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const { partners, db, events } = app.diContainer.cradle
  // A change staff make to the company's account while it is suspended (its own people cannot sign in).
  const staffChange = () => db.transaction().execute((trx) =>
    events.emit(trx, 'customer.updated', accountId, { accountId, partnerId: acme.partner.id, changed: ['city'], by: null }))
  const staff = { id: null, name: 'staff' }
  await partners.setSuspended(staff, acme.partner.id, true, 'Unpaid fees')
  await staffChange()
  await runJobs(app)
  t.same(receiver.types(), [], 'nothing while suspended')
  await partners.setSuspended(staff, acme.partner.id, false)
  await staffChange()
  await runJobs(app)
  t.same(receiver.types(), ['customer.updated'], 'events again once reactivated')
})
