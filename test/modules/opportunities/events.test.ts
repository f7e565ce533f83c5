import t from 'tap'
import { sql } from 'kysely'
import { parseForm } from '../../../core/lib/validation.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { buildTestApp } from '../../helper.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { receiveEvents } from '../../fixtures/events.ts'
import { createStaffDeal, registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

const { app } = await buildTestApp(t)
const { db, distribution, opportunities } = app.diContainer.cradle
const delivered = receiveEvents(app, [
  'opportunity.registered', 'opportunity.created', 'opportunity.approved', 'opportunity.declined', 'opportunity.offered', 'opportunity.accepted',
  'opportunity.rejected', 'opportunity.expired', 'opportunity.returned', 'opportunity.stage-changed', 'opportunity.won', 'opportunity.lost', 'customer.created'
])
const acme = await createActivePartner(app, 'acme')
const beta = await createActivePartner(app, 'beta')
const acmeAdmin = await viewerFor(app, acme.admin.id)
const betaAdmin = await viewerFor(app, beta.admin.id)
const pendingOffer = (id: string) =>
  db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', id).where('status', '=', 'pending').executeTakeFirstOrThrow()

t.test('a registered deal moves through its stages and is won or lost, each step told in order', async (t) => {
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex', { domain: 'globex.example' })
  await delivered()
  const deal = await opportunities.register(acmeAdmin, parseForm(RegistrationForm, registrationForm(accountId)))
  await opportunities.moveStage(acmeAdmin, deal.id, 'develop')
  await opportunities.win(acmeAdmin, deal.id, '30000')
  const by = acme.admin.id
  t.match(await delivered(), [
    { name: 'opportunity.registered', subject: deal.id, payload: { opportunityId: deal.id, partnerId: acme.partner.id, accountId, status: 'open', by } },
    { name: 'opportunity.stage-changed', subject: deal.id, payload: { from: 'qualify', to: 'develop', by } },
    { name: 'opportunity.won', subject: deal.id, payload: { actualRevenue: '30000', currency: 'USD', by } }
  ])

  const { accountId: rival } = await createCustomer(app, beta.admin.id, 'Globex', { domain: 'globex.example' })
  const { accountId: again } = await createCustomer(app, acme.admin.id, 'Globex again', { domain: 'globex.example' })
  const open = await opportunities.register(acmeAdmin, parseForm(RegistrationForm, registrationForm(again, { name: 'Second rollout' })))
  const contested = await opportunities.register(betaAdmin, parseForm(RegistrationForm, registrationForm(rival, { name: 'Rival rollout' })))
  const { staff } = await createStaffDeal(app, { customer_name: 'Elsewhere', customer_website: 'https://elsewhere.example' })
  await opportunities.decideRegistration(staff, contested.id, false, 'Acme registered it first')
  await opportunities.lose(acmeAdmin, open.id, 'No budget')
  t.match((await delivered()).filter((e) => e.name !== 'opportunity.created' && e.name !== 'customer.created'), [
    { name: 'opportunity.registered', subject: open.id, payload: { status: 'open' } },
    { name: 'opportunity.registered', subject: contested.id, payload: { status: 'pending_approval', partnerId: beta.partner.id } },
    { name: 'opportunity.declined', subject: contested.id, payload: { reason: 'Acme registered it first', by: staff.id } },
    { name: 'opportunity.lost', subject: open.id, payload: { reason: 'No budget' } }
  ])
})

t.test('a staff deal is offered, rejected, offered again, expires, is accepted and returned, each step told in order', async (t) => {
  const { deal, staff } = await createStaffDeal(app)
  await distribution.offer(staff, deal.id, acme.partner.id, 48)
  const first = await pendingOffer(deal.id)
  await distribution.reject(acmeAdmin, first.id, 'Too far away')
  await distribution.offer(staff, deal.id, beta.partner.id, 48)
  const second = await pendingOffer(deal.id)
  t.match(await delivered(), [
    { name: 'opportunity.created', subject: deal.id, payload: { partnerId: null, distribution: 'manual', by: staff.id } },
    { name: 'opportunity.offered', subject: deal.id, payload: { partnerId: acme.partner.id, offerId: first.id, by: staff.id } },
    { name: 'opportunity.rejected', subject: deal.id, payload: { partnerId: acme.partner.id, offerId: first.id, reason: 'Too far away' } },
    { name: 'opportunity.offered', subject: deal.id, payload: { partnerId: beta.partner.id, offerId: second.id } }
  ])
  await db.updateTable('opportunity_offers').set({ deadline: sql`now() - interval '1 minute'` }).where('id', '=', second.id).execute()
  await db.updateTable('jobs').set({ run_at: sql`now() - interval '1 minute'` })
    .where('kind', '=', 'opportunity.offer-expire').where(sql<boolean>`payload->>'offerId' = ${second.id}`).execute()
  t.match(await delivered(), [{ name: 'opportunity.expired', subject: deal.id, payload: { partnerId: beta.partner.id, offerId: second.id, by: null } }],
    'the expiry job tells of the expiry')

  await distribution.offer(staff, deal.id, acme.partner.id, 48)
  const third = await pendingOffer(deal.id)
  const accepted = await distribution.accept(acmeAdmin, third.id)
  await opportunities.giveBack(acmeAdmin, deal.id, 'Customer went elsewhere')
  t.match(await delivered(), [
    { name: 'opportunity.offered', payload: { offerId: third.id } },
    { name: 'customer.created', subject: accepted.account_id, payload: { name: 'Lakeshore Retail', source: 'offer', partnerId: acme.partner.id } },
    { name: 'opportunity.accepted', subject: deal.id, payload: { offerId: third.id, accountId: accepted.account_id, by: acme.admin.id } },
    { name: 'opportunity.returned', subject: deal.id, payload: { reason: 'Customer went elsewhere' } }
  ])
})
