import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { adminPermissions } from '../../fixtures/permissions.ts'
import { Conflict } from '../../../core/lib/errors.ts'
import { Agent, buildTestApp, createUser, dialect } from '../../helper.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)

/** Partners that all serve the US in Consulting; with equal figures they rank by name. */
async function partners(app: FastifyInstance, ...slugs: string[]) {
  const made = []
  for (const slug of slugs) made.push(await createActivePartner(app, slug))
  return made
}

const opportunity = (app: FastifyInstance, id: string) =>
  app.diContainer.cradle.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const offers = (app: FastifyInstance, id: string) =>
  app.diContainer.cradle.db.selectFrom('opportunity_offers').selectAll().where('opportunity_id', '=', id).orderBy('offered_at').execute()
const pendingOffer = async (app: FastifyInstance, id: string) => (await offers(app, id)).find((o) => o.status === 'pending')!
const mailTo = (app: FastifyInstance, to: string) =>
  app.diContainer.cradle.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).orderBy('created_at').execute()

async function staffAgent(app: FastifyInstance) {
  await createUser(app, { email: 'dispatch@staff.example', name: 'Dana Dispatch' })
  const agent = new Agent(app)
  await agent.signIn('dispatch@staff.example', 'correct-horse-battery')
  return agent
}

/** Moves an offer's deadline, and its expiry job, into the past. */
async function expire(app: FastifyInstance, offerId: string) {
  const { db } = app.diContainer.cradle
  await db.updateTable('opportunity_offers').set({ deadline: sql`now() - interval '1 minute'` }).where('id', '=', offerId).execute()
  await db.updateTable('jobs').set({ run_at: sql`now() - interval '1 minute'` })
    .where('kind', '=', 'opportunity.offer-expire').where(sql<boolean>`payload->>'offerId' = ${offerId}`).execute()
}

t.test('staff create and offer a deal; the partner accepts and holds it with a customer account', async (t) => {
  const { app } = await buildTestApp(t)
  const { distribution, db } = app.diContainer.cradle
  const [acme] = await partners(app, 'acme')
  const staff = await staffAgent(app)

  const created = await staff.post('/admin/opportunities', {
    name: 'Warehouse robots', customer_name: 'Lakeshore Retail', customer_website: 'https://www.lakeshore.example', territory: 'US',
    expertise: ['Consulting'], estimated_revenue: '80000', currency: 'EUR', expected_close: inDays(45), description: 'Three sites.', distribution: 'manual'
  })
  t.equal(created.statusCode, 303)
  const id = String(created.headers.location).split('/').pop()!
  t.match(await opportunity(app, id), { status: 'queued', source: 'staff', partner_id: null, customer_domain: 'lakeshore.example', currency: 'EUR' })

  const page = await staff.get(`/admin/opportunities/${id}`)
  t.match(page.body, /Opportunity #\d+ created/)
  t.match(page.body, /Distribute/)
  t.match(page.body, /acme Ltd/)
  t.match(page.body, /value="72"/, 'the deadline defaults to the rules’ offer hours')

  t.equal((await staff.post(`/admin/opportunities/${id}/offer`, { partner_id: acme!.partner.id, hours: '24' })).statusCode, 303)
  const offer = await pendingOffer(app, id)
  t.match(offer, { partner_id: acme!.partner.id, status: 'pending' })
  const hours = (offer.deadline.getTime() - offer.offered_at.getTime()) / 3_600_000
  t.ok(hours > 23.9 && hours < 24.1, 'the deadline is the hours chosen')
  t.ok(Number(offer.score) > 0, 'the offer keeps the score')
  t.ok(offer.reasons.some((r) => r.factor === 'territory' && r.note === 'Serves United States'), 'and the reasons')
  t.equal((await opportunity(app, id)).status, 'offered')
  const mail = await mailTo(app, acme!.email)
  t.ok(mail.some((m) => m.subject === 'New opportunity offered: Warehouse robots' && m.body.includes('/portal/opportunities/offers')), 'the partner admin is e-mailed the offer')

  const again = await staff.post(`/admin/opportunities/${id}/offer`, { partner_id: acme!.partner.id, hours: '24' })
  t.equal(again.statusCode, 409, 'an offered deal is not offered twice')
  t.match(again.body, /Only a deal in the staff queue can be offered/)

  const accepted = await distribution.accept(await viewerFor(app, acme!.admin.id), offer.id)
  t.match(accepted, { status: 'open', partner_id: acme!.partner.id, owner_id: acme!.admin.id })
  const account = await db.selectFrom('customer_accounts').selectAll().where('id', '=', accepted.account_id!).executeTakeFirstOrThrow()
  t.match(account, { partner_id: acme!.partner.id, name: 'Lakeshore Retail', domain: 'lakeshore.example' }, 'the customer became the partner’s account')
  t.equal((await offers(app, id))[0]!.status, 'accepted')

  const after = await staff.get(`/admin/opportunities/${id}`)
  t.match(after.body, /badge-open/)
  t.match(after.body, /Accepted by acme Admin/)
  t.notMatch(after.body, /id="distribution-title"/, 'an open deal has no distribution panel')
})

t.test('automatic distribution: a rejected offer goes to the next best partner', async (t) => {
  const { app } = await buildTestApp(t)
  const { distribution } = app.diContainer.cradle
  const [alpha, bravo] = await partners(app, 'alpha', 'bravo')
  const { deal } = await createStaffDeal(app, { distribution: 'auto' })

  const first = await pendingOffer(app, deal.id)
  t.equal(first.partner_id, alpha!.partner.id, 'the best partner is offered it at once (a tie goes by name)')
  await distribution.reject(await viewerFor(app, alpha!.admin.id), first.id, 'No team free this quarter.')

  const all = await offers(app, deal.id)
  t.match(all[0], { status: 'rejected', reason: 'No team free this quarter.', answered_by: alpha!.admin.id })
  t.match(all[1], { status: 'pending', partner_id: bravo!.partner.id })
  t.match(await opportunity(app, deal.id), { status: 'offered', refusals: 1 })
  t.ok((await mailTo(app, bravo!.email)).some((m) => m.subject.startsWith('New opportunity offered')))

  const staff = await staffAgent(app)
  const page = await staff.get(`/admin/opportunities/${deal.id}`)
  t.match(page.body, /Rejected by alpha Admin: No team free this quarter\./)
  t.match(page.body, /Reason: No team free this quarter\./)
})

t.test('an offer left past its deadline expires by the job and moves on', async (t) => {
  const { app } = await buildTestApp(t)
  const { jobs, distribution } = app.diContainer.cradle
  const [alpha, bravo] = await partners(app, 'alpha', 'bravo')
  const { deal } = await createStaffDeal(app, { distribution: 'auto' })
  const first = await pendingOffer(app, deal.id)

  await jobs.runDue()
  t.equal((await pendingOffer(app, deal.id)).id, first.id, 'nothing expires before the deadline')

  await expire(app, first.id)
  await t.rejects(distribution.accept(await viewerFor(app, alpha!.admin.id), first.id), /This offer has expired/, 'a late answer is refused')
  await jobs.runDue()
  const all = await offers(app, deal.id)
  t.equal(all[0]!.status, 'expired')
  t.match(all[1], { status: 'pending', partner_id: bravo!.partner.id })
  t.match(await opportunity(app, deal.id), { status: 'offered', refusals: 1 })
  const events = await app.diContainer.cradle.db.selectFrom('opportunity_events').select('kind').where('opportunity_id', '=', deal.id).orderBy('at').execute()
  t.same(events.map((e) => e.kind), ['created', 'offered', 'expired', 'offered'])
})

t.test('after the maximum of refusals the deal returns to the staff queue with its history', async (t) => {
  const { app } = await buildTestApp(t)
  const { distribution, db } = app.diContainer.cradle
  const made = await partners(app, 'alpha', 'bravo', 'charlie', 'delta')
  const { deal } = await createStaffDeal(app, { distribution: 'auto' })

  await distribution.reject(await viewerFor(app, made[0]!.admin.id), (await pendingOffer(app, deal.id)).id, 'Too far away.')
  await expire(app, (await pendingOffer(app, deal.id)).id)
  await app.diContainer.cradle.jobs.runDue()
  await distribution.reject(await viewerFor(app, made[2]!.admin.id), (await pendingOffer(app, deal.id)).id, 'Not our field.')

  t.match(await opportunity(app, deal.id), { status: 'queued', refusals: 3, partner_id: null })
  const all = await offers(app, deal.id)
  t.same(all.map((o) => [o.partner_id, o.status]), [
    [made[0]!.partner.id, 'rejected'], [made[1]!.partner.id, 'expired'], [made[2]!.partner.id, 'rejected']
  ], 'delta was never offered it')

  const staff = await staffAgent(app)
  const page = await staff.get(`/admin/opportunities/${deal.id}`)
  t.match(page.body, /Back in the staff queue after 3 refusals/)
  t.match(page.body, /Staff only/)
  t.equal([...page.body.matchAll(/Offered before/g)].length, 3, 'the ranking marks the three partners offered before')
  t.match(page.body, /Offer to the best partner: delta Ltd/)

  t.equal((await staff.post(`/admin/opportunities/${deal.id}/offer-best`)).statusCode, 303)
  t.equal((await pendingOffer(app, deal.id)).partner_id, made[3]!.partner.id)
  await distribution.reject(await viewerFor(app, made[3]!.admin.id), (await pendingOffer(app, deal.id)).id, 'Fully booked.')
  t.match(await opportunity(app, deal.id), { status: 'queued', refusals: 4 }, 'beyond the maximum it stays with staff')

  const none = await staff.post(`/admin/opportunities/${deal.id}/offer-best`)
  t.equal(none.statusCode, 409)
  t.match(none.body, /No eligible partner is left/)
  const kinds = await db.selectFrom('opportunity_events').select('kind').where('opportunity_id', '=', deal.id).where('kind', '=', 'no-eligible-partner').execute()
  t.equal(kinds.length, 0, 'a refused attempt leaves no trace')
})

t.test('two people of one partner accept the same offer at once: exactly one wins', async (t) => {
  const { app, env } = await buildTestApp(t)
  // On PostgreSQL the second person goes through another app with a pool of its own, as behind a load balancer.
  const other = dialect === 'postgres' ? (await buildTestApp(t, {}, { dbEnv: env })).app : app
  const [acme] = await partners(app, 'acme')
  const ann = await createEmployee(app, acme!.partner.id, 'ann@acme.example', adminPermissions)
  const bob = await createEmployee(app, acme!.partner.id, 'bob@acme.example', adminPermissions)
  const { deal } = await createStaffDeal(app, { distribution: 'auto' })
  const offer = await pendingOffer(app, deal.id)

  const results = await Promise.allSettled([
    app.diContainer.cradle.distribution.accept(await viewerFor(app, ann.id), offer.id),
    other.diContainer.cradle.distribution.accept(await viewerFor(other, bob.id), offer.id)
  ])
  const won = results.filter((r) => r.status === 'fulfilled')
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  t.equal(won.length, 1, 'one accept succeeds')
  t.equal(lost.length, 1, 'the other is refused')
  t.ok(lost[0]!.reason instanceof Conflict)
  t.equal(lost[0]!.reason.message, 'This offer was already accepted.')

  const row = await opportunity(app, deal.id)
  t.match(row, { status: 'open', partner_id: acme!.partner.id })
  t.ok([ann.id, bob.id].includes(row.owner_id!))
  const accounts = await app.diContainer.cradle.db.selectFrom('customer_accounts').select('id').where('partner_id', '=', acme!.partner.id).execute()
  t.equal(accounts.length, 1, 'one customer account, not two')
  const events = await app.diContainer.cradle.db.selectFrom('opportunity_events').select('kind').where('opportunity_id', '=', deal.id).where('kind', '=', 'accepted').execute()
  t.equal(events.length, 1)
})

t.test('staff approve or decline a conflicting registration, seeing both sides; the owner is e-mailed', async (t) => {
  const { app } = await buildTestApp(t)
  const { opportunities, customers, db } = app.diContainer.cradle
  const [first, second, third] = await partners(app, 'first', 'second', 'third')

  async function register(partner: typeof first, name: string) {
    const viewer = await viewerFor(app, partner!.admin.id)
    const accountId = await customers.createAccount(viewer, {
      name: 'Initech', domain: 'initech.example', website: '', phone: '', address: '', city: '', postal_code: '', country: 'US', industry: '', owner_id: ''
    } as Parameters<typeof customers.createAccount>[1])
    return opportunities.register(viewer, {
      name, account_id: accountId, contact_id: '', estimated_revenue: '40000', currency: 'USD', expected_close: inDays(30), expertise: [], description: ''
    })
  }
  const held = await register(first, 'Initech printers')
  const rival = await register(second, 'Initech copiers')
  const late = await register(third, 'Initech scanners')
  t.equal(held.status, 'open')
  t.equal(rival.status, 'pending_approval')

  const staff = await staffAgent(app)
  const list = await staff.get('/admin/opportunities?status=pending_approval')
  t.match(list.body, /Initech copiers/)
  t.notMatch(list.body, /Initech printers/)

  const page = await staff.get(`/admin/opportunities/${rival.id}`)
  t.match(page.body, /Registration to approve/)
  t.match(page.body, /This registration/)
  t.match(page.body, /second Ltd/)
  t.match(page.body, /Initech printers/, 'the conflicting deal')
  t.match(page.body, /first Ltd/, 'and who holds it')

  const short = await staff.post(`/admin/opportunities/${rival.id}/decline`, { reason: 'No' })
  t.equal(short.statusCode, 422)
  t.match(short.body, /Reason must be at least 5 characters/)
  t.equal((await opportunity(app, rival.id)).status, 'pending_approval', 'nothing changed')

  t.equal((await staff.post(`/admin/opportunities/${rival.id}/decline`, { reason: 'Another partner registered this customer first.' })).statusCode, 303)
  t.match(await opportunity(app, rival.id), { status: 'declined', lost_reason: 'Another partner registered this customer first.' })
  const declined = await mailTo(app, second!.email)
  t.ok(declined.some((m) => m.subject === 'Deal registration declined: Initech copiers' && m.body.includes('Another partner registered this customer first.')))

  t.equal((await staff.post(`/admin/opportunities/${late.id}/approve`)).statusCode, 303)
  t.equal((await opportunity(app, late.id)).status, 'open')
  t.ok((await mailTo(app, third!.email)).some((m) => m.subject === 'Deal registration approved: Initech scanners'))

  const twice = await staff.post(`/admin/opportunities/${late.id}/approve`)
  t.equal(twice.statusCode, 409)
  t.match(twice.body, /already decided/)
  const audit = await db.selectFrom('audit_log').select('action').where('entity_id', '=', late.id).execute()
  t.ok(audit.some((a) => a.action === 'opportunity.approved'), 'the decision is in the audit trail')
})
