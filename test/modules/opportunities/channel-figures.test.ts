import { sql } from 'kysely'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../core/data/database.ts'
import { seedDemo } from '../../../core/features/demo.ts'
import { Agent, buildTestApp, createUser, serverUrl } from '../../helper.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { statuses } from '../../../modules/opportunities/opportunities.table.ts'
import * as channelFiguresMigration from '../../../migrations/20261208120000_channel_figures.ts'

/** The kept status counts, offer records and revenue won per year, and the same counted from the deals and offers themselves. */
async function keptAndCounted(db: Db) {
  const kept = await sql<Record<string, unknown>>`
    select 'status' as kind, partner_id, status as bucket, deals as n, null::text as hours from opportunity_status_figures where deals <> 0
    union all
    select 'offers', partner_id, concat_ws('/', answered, accepted, returned, timed), null, round(response_hours, 6)::text
    from opportunity_offer_figures where answered <> 0 or timed <> 0
    union all
    select 'won years', partner_id, concat_ws('/', currency, year), deals, round(revenue, 2)::text from opportunity_won_years where deals <> 0
    order by 1, 2 nulls first, 3`.execute(db)
  const counted = await sql<Record<string, unknown>>`
    select 'status' as kind, partner_id, status as bucket, count(*)::int as n, null::text as hours from opportunities group by 1, 2, 3
    union all
    select 'offers', partner_id, concat_ws('/',
        count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned')), count(*) filter (where status in ('accepted', 'returned')),
        count(*) filter (where status = 'returned'), count(*) filter (where answered_at is not null and status <> 'withdrawn')), null,
      round(coalesce(sum(extract(epoch from answered_at - offered_at) / 3600) filter (where answered_at is not null and status <> 'withdrawn'), 0), 6)::text
    from opportunity_offers group by 1, 2
    having count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned') or (answered_at is not null and status <> 'withdrawn')) > 0
    union all
    select 'won years', partner_id, concat_ws('/', currency, date_trunc('year', closed_at at time zone 'UTC')::date), count(*)::int,
      round(coalesce(sum(actual_revenue), 0), 2)::text
    from opportunities where status = 'won' and closed_at is not null and partner_id is not null
    group by partner_id, currency, date_trunc('year', closed_at at time zone 'UTC')
    order by 1, 2 nulls first, 3`.execute(db)
  return { kept: kept.rows, counted: counted.rows }
}

/** The channel page's figures per partner summed from the deals and offers, as the page did before they were kept. */
async function channelFromDeals(db: Db, currency: string) {
  const rows = await sql<Record<string, unknown>>`
    select p.id, coalesce(o.open_count, 0)::int as open_count, coalesce(o.open_value, 0)::float8 as open_value,
      coalesce(o.won_count, 0)::int as won_count, coalesce(o.won_value, 0)::float8 as won_value,
      round(o.won::numeric / nullif(o.won + o.lost, 0), 6)::float8 as win_rate,
      round(f.accepted::numeric / nullif(f.answered, 0), 6)::float8 as acceptance_rate,
      round(f.returned::numeric / nullif(f.accepted, 0), 6)::float8 as return_rate,
      round(f.avg_response_hours, 6)::float8 as avg_response_hours
    from partners p
    left join lateral (
      select count(*) filter (where status = 'open') as open_count,
        sum(estimated_revenue) filter (where status = 'open' and currency = ${currency}) as open_value,
        count(*) filter (where status = 'won' and closed_at >= date_trunc('year', now() at time zone 'UTC') at time zone 'UTC') as won_count,
        sum(actual_revenue) filter (where status = 'won' and closed_at >= date_trunc('year', now() at time zone 'UTC') at time zone 'UTC' and currency = ${currency}) as won_value,
        count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost
      from opportunities where partner_id = p.id
    ) o on true
    left join lateral (
      select count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned')) as answered,
        count(*) filter (where status in ('accepted', 'returned')) as accepted, count(*) filter (where status = 'returned') as returned,
        avg(extract(epoch from answered_at - offered_at) / 3600) filter (where answered_at is not null and status <> 'withdrawn') as avg_response_hours
      from opportunity_offers where partner_id = p.id
    ) f on true
    where p.status in ('active', 'suspended') order by p.id`.execute(db)
  return rows.rows
}

const round = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6)

async function channelAsRead(app: FastifyInstance, currency: string) {
  const rows = await app.diContainer.cradle.channel.figures(app.diContainer.cradle.pageLoader(), { currency, sort: 'name', limit: 1000 })
  return rows.map((r) => ({
    id: r.id, open_count: r.openCount, open_value: r.openValue, won_count: r.wonCount, won_value: r.wonValue,
    win_rate: round(r.winRate), acceptance_rate: round(r.acceptanceRate), return_rate: round(r.returnRate), avg_response_hours: round(r.avgResponseHours)
  })).sort((a, b) => (a.id < b.id ? -1 : 1))
}

/** Deals per status counted from the table, of everyone or of one partner. */
async function countedStatuses(db: Db, partnerId?: string) {
  const rows = await db.selectFrom('opportunities').select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .$if(Boolean(partnerId), (q) => q.where('partner_id', '=', partnerId!)).groupBy('status').execute()
  return Object.fromEntries(statuses.map((s) => [s, Number(rows.find((r) => r.status === s)?.n ?? 0)]))
}

/** Everything the staff read from the kept figures equals what the deals and offers say, after `step`. */
async function check(t: Test, app: FastifyInstance, step: string) {
  const { db, channel } = app.diContainer.cradle
  const { kept, counted } = await keptAndCounted(db)
  t.same(kept, counted, `kept figures equal a fresh count after ${step}`)
  for (const currency of ['USD', 'EUR']) t.same(await channelAsRead(app, currency), await channelFromDeals(db, currency), `channel figures in ${currency} after ${step}`)
  t.same(await channel.counts({}), await countedStatuses(db), `status counts of every deal after ${step}`)
  const partners = await db.selectFrom('partners').select('id').execute()
  for (const p of partners) t.same(await channel.counts({ partnerId: p.id }), await countedStatuses(db, p.id), `status counts of one partner after ${step}`)
}

const staffActor = async (app: FastifyInstance) => {
  const user = await createUser(app, { email: 'dispatch@staff.example', name: 'Dana Dispatch', role: 'admin' })
  return { id: user.id, name: user.name }
}

/** The deal's pending offer, made `hours` ago, so that answers take a response time worth averaging. */
async function pendingOffer(db: Db, dealId: string, hours = 5) {
  return db.updateTable('opportunity_offers').set({ offered_at: sql`now() - make_interval(hours => ${hours})` })
    .where('opportunity_id', '=', dealId).where('status', '=', 'pending').returningAll().executeTakeFirstOrThrow()
}

t.test('the channel figures and status counts follow every kind of write to deals and offers', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, opportunities, distribution, jobs } = app.diContainer.cradle
  const { acme, accountId } = await partnerWithCustomer(app)
  const alpha = await createActivePartner(app, 'alpha')
  const bravo = await createActivePartner(app, 'bravo')
  const staff = await staffActor(app)
  const [acmeAdmin, alphaAdmin, bravoAdmin] = await Promise.all([acme, alpha, bravo].map((p) => viewerFor(app, p.admin.id)))
  await check(t, app, 'nothing yet')

  const register = (overrides: Record<string, string> = {}) =>
    opportunities.register(acmeAdmin, registrationForm(accountId, overrides) as Parameters<typeof opportunities.register>[1])
  const registered = await register()
  const conflicting = await register({ name: 'Second tills', currency: 'EUR' })
  const approved = await register({ name: 'Kiosks', currency: 'EUR', estimated_revenue: '7000' })
  t.same([registered.status, conflicting.status, approved.status], ['open', 'pending_approval', 'pending_approval'])
  await check(t, app, 'registrations, open and waiting for approval')
  await opportunities.decideRegistration(staff, conflicting.id, false, 'Another partner holds it.')
  await opportunities.decideRegistration(staff, approved.id, true)
  await check(t, app, 'a registration declined and one approved')

  await opportunities.moveStage(acmeAdmin, registered.id, 'propose')
  await opportunities.win(acmeAdmin, registered.id, '26000')
  await opportunities.lose(acmeAdmin, approved.id, 'Budget cut.')
  await check(t, app, 'a stage change, a deal won and one lost')

  const { deal: offered } = await createStaffDeal(app, { estimated_revenue: '90000' })
  await check(t, app, 'a deal in the staff queue')
  await distribution.offer(staff, offered.id, alpha.partner.id, 24)
  await check(t, app, 'an offer made')
  await distribution.accept(alphaAdmin, (await pendingOffer(db, offered.id)).id)
  await check(t, app, 'an offer accepted')
  await opportunities.giveBack(alphaAdmin, offered.id, 'No team free.')
  await check(t, app, 'an accepted deal returned')

  const { deal: auto } = await createStaffDeal(app, { distribution: 'auto', currency: 'EUR' })
  const first = await pendingOffer(db, auto.id, 2)
  const byPartner = new Map([[acme.partner.id, acmeAdmin], [alpha.partner.id, alphaAdmin], [bravo.partner.id, bravoAdmin]])
  await distribution.reject(byPartner.get(first.partner_id)!, first.id, 'Not our field.')
  await check(t, app, 'an offer rejected and the deal offered to the next partner')
  const second = await pendingOffer(db, auto.id)
  await db.updateTable('opportunity_offers').set({ deadline: sql`now() - interval '1 minute'` }).where('id', '=', second.id).execute()
  await db.updateTable('jobs').set({ run_at: sql`now() - interval '1 minute'` })
    .where('kind', '=', 'opportunity.offer-expire').where(sql<boolean>`payload->>'offerId' = ${second.id}`).execute()
  await jobs.runDue()
  t.equal((await db.selectFrom('opportunity_offers').select('status').where('id', '=', second.id).executeTakeFirstOrThrow()).status, 'expired')
  await check(t, app, 'an offer expired')
  const third = await pendingOffer(db, auto.id, 30)
  await distribution.accept(byPartner.get(third.partner_id)!, third.id)
  await opportunities.win(byPartner.get(third.partner_id)!, auto.id, '110000')
  await check(t, app, 'the third offer accepted and the deal won in EUR')

  // No screen moves a deal to another partner, withdraws an offer or deletes a deal; the triggers keep the figures all the same.
  await db.updateTable('opportunities').set({ partner_id: bravo.partner.id, owner_id: bravo.admin.id }).where('id', '=', auto.id).execute()
  await check(t, app, 'a won deal moved to another partner')
  await db.updateTable('opportunities').set({ closed_at: new Date(Date.UTC(new Date().getUTCFullYear() - 1, 11, 31, 23)) }).where('id', '=', registered.id).execute()
  await check(t, app, 'a deal won last year')
  await db.updateTable('opportunity_offers').set({ status: 'withdrawn', answered_at: sql`now()` }).where('opportunity_id', '=', auto.id).where('status', '=', 'expired').execute()
  await check(t, app, 'an offer withdrawn')
  await db.updateTable('opportunity_offers').set({ partner_id: acme.partner.id }).where('opportunity_id', '=', offered.id).execute()
  await check(t, app, 'an offer put under another partner')
  await db.deleteFrom('opportunities').where('id', '=', offered.id).execute()
  await check(t, app, 'a deal deleted with its offers')

  const kept = await keptAndCounted(db)
  await sql`delete from opportunity_status_figures`.execute(db)
  await sql`update opportunity_offer_figures set answered = answered + 1`.execute(db)
  await sql`update opportunity_won_years set revenue = revenue + 1`.execute(db)
  t.not(JSON.stringify((await keptAndCounted(db)).kept), JSON.stringify(kept.kept), 'broken figures no longer match')
  await sql`select opportunity_figures_rebuild()`.execute(db)
  await sql`select opportunity_won_years_rebuild()`.execute(db)
  t.same((await keptAndCounted(db)).kept, kept.kept, 'the rebuilds rebuild the channel figures the triggers had kept')
  await check(t, app, 'a rebuild')
})

t.test('the channel page and the staff list show the kept figures', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  await seedDemo(app)
  await check(t, app, 'the demo data')
  await createUser(app, { email: 'reader@staff.example', name: 'Rita Reader', role: 'admin' })
  const staff = new Agent(app)
  await staff.signIn('reader@staff.example', 'correct-horse-battery')

  const counts = await countedStatuses(db)
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  const list = await staff.get('/admin/opportunities')
  t.equal(list.statusCode, 200)
  t.match(list.body, new RegExp(`All <span class="tab-count">${total}<`), 'every deal counted')
  t.match(list.body, new RegExp(`Open <span class="tab-count">${counts.open}<`), 'open deals counted')

  const partner = await db.selectFrom('opportunities').select('partner_id').where('partner_id', 'is not', null)
    .groupBy('partner_id').orderBy(sql`count(*)`, 'desc').limit(1).executeTakeFirstOrThrow()
  const mine = await countedStatuses(db, partner.partner_id!)
  const filtered = await staff.get(`/admin/opportunities?partner=${partner.partner_id}`)
  t.match(filtered.body, new RegExp(`All <span class="tab-count">${Object.values(mine).reduce((a, b) => a + b, 0)}<`), 'a partner\'s deals counted')

  const account = await db.selectFrom('opportunities').select('account_id').where('account_id', 'is not', null).limit(1).executeTakeFirstOrThrow()
  const ofAccount = await db.selectFrom('opportunities').select((eb) => eb.fn.countAll<string>().as('n')).where('account_id', '=', account.account_id).executeTakeFirstOrThrow()
  const byAccount = await staff.get(`/admin/opportunities?account=${account.account_id}`)
  t.match(byAccount.body, new RegExp(`All <span class="tab-count">${ofAccount.n}<`), 'a customer account\'s deals counted')

  const home = await staff.get('/admin')
  t.match(home.body, new RegExp(`In the queue</dt><dd>${counts.queued}<`), 'the staff home\'s queue counted')
  t.match(home.body, new RegExp(`Offered</dt><dd>${counts.offered}<`), 'and its offered deals')
  t.match(home.body, new RegExp(`Registrations to approve</dt><dd>${counts.pending_approval}<`), 'and its registrations to approve')

  const channel = await staff.get('/admin/opportunities/channel?sort=name')
  t.equal(channel.statusCode, 200)
  const [top] = await channelFromDeals(db, 'USD').then((rows) => rows.filter((r) => Number(r.open_count) > 0))
  const name = (await db.selectFrom('partners').select('name').where('id', '=', String(top!.id)).executeTakeFirstOrThrow()).name
  const row = channel.body.slice(channel.body.indexOf(`>${name}</a>`), channel.body.indexOf('</tr>', channel.body.indexOf(`>${name}</a>`)))
  t.match(row, new RegExp(`${top!.open_count} open`), 'a partner\'s open deals on the channel page')
})

t.test('deals moved between partners and the queue at once neither deadlock nor drift',
  { skip: serverUrl ? false : 'concurrent connections need PostgreSQL (TEST_DATABASE_URL)' }, async (t) => {
    const { app } = await buildTestApp(t)
    const { db } = app.diContainer.cradle
    await seedDemo(app)
    const partners = await db.selectFrom('partners').select('id').where('status', '=', 'active').execute()
    const deals = await db.selectFrom('opportunities').select('id').orderBy('number').limit(12).execute()
    t.ok(partners.length >= 2 && deals.length >= 6, 'several partners and deals')
    const moves = ['open', 'queued', 'won', 'lost', 'open', 'pending_approval'] as const
    const changes = Array.from({ length: 120 }, (_, i) => {
      const status = moves[(i * 5) % moves.length]!
      return db.updateTable('opportunities').set({
        status, partner_id: status === 'queued' ? null : partners[(i * 7) % partners.length]!.id,
        closed_at: status === 'won' || status === 'lost' ? new Date() : null
      }).where('id', '=', deals[i % deals.length]!.id).execute()
    })
    const results = await Promise.allSettled(changes)
    t.same(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], 'every change went through')
    await check(t, app, 'crossing moves')
  })

t.test('the channel figures migrate down and back up, rebuilt from the deals', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  await seedDemo(app)
  const before = await keptAndCounted(db)

  await channelFiguresMigration.down(db)
  const tables = await sql<{ name: string | null }>`select to_regclass('opportunity_status_figures')::text as name`.execute(db)
  t.equal(tables.rows[0]!.name, null, 'down: the tables are gone')
  await sql`select opportunity_figures_rebuild()`.execute(db)
  const deal = await db.selectFrom('opportunities').select(['id', 'status']).where('status', '=', 'open').limit(1).executeTakeFirstOrThrow()
  await db.updateTable('opportunities').set({ status: 'lost', closed_at: new Date() }).where('id', '=', deal.id).execute()

  await channelFiguresMigration.up(db)
  const after = await keptAndCounted(db)
  t.same(after.kept, after.counted, 'up again: the figures counted from the deals, a change made meanwhile included')
  t.not(JSON.stringify(after.kept), JSON.stringify(before.kept), 'which the change made differ from before')
})

t.test('deals given back and offers rejected at once, crossing the staff queue both ways, neither deadlock nor drift',
  { skip: serverUrl ? false : 'concurrent connections need PostgreSQL (TEST_DATABASE_URL)' }, async (t) => {
    const { app } = await buildTestApp(t)
    const { db, distribution, opportunities } = app.diContainer.cradle
    const viewers = new Map<string, Awaited<ReturnType<typeof viewerFor>>>()
    for (const slug of ['alpha', 'bravo', 'charlie', 'delta']) {
      const made = await createActivePartner(app, slug)
      viewers.set(made.partner.id, await viewerFor(app, made.admin.id))
    }
    const held: Array<[string, string]> = []
    const offered: Array<[string, string]> = []
    for (let i = 0; i < 16; i++) {
      const { deal } = await createStaffDeal(app, { distribution: 'auto' })
      const offer = await pendingOffer(db, deal.id)
      if (i % 2) {
        await distribution.accept(viewers.get(offer.partner_id)!, offer.id)
        held.push([offer.partner_id, deal.id])
      } else {
        await distribution.reject(viewers.get(offer.partner_id)!, offer.id, 'Not now.')
        const next = await pendingOffer(db, deal.id)
        offered.push([next.partner_id, next.id])
      }
    }
    const results = await Promise.allSettled([
      ...held.map(([partner, id]) => opportunities.giveBack(viewers.get(partner)!, id, 'No team free.')),
      ...offered.map(([partner, id]) => distribution.reject(viewers.get(partner)!, id, 'Fully booked.'))
    ])
    t.same(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], 'every answer went through')
    await check(t, app, 'crossing returns and rejections')
  })
