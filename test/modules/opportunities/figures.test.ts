import { sql } from 'kysely'
import t from 'tap'
import { seedDemo } from '../../../core/features/demo.ts'
import * as companyFigures from '../../../migrations/20261124100000_opportunity_company_figures.ts'
import type { Db } from '../../../core/data/database.ts'
import { buildTestApp, serverUrl } from '../../helper.ts'

const nil = '00000000-0000-0000-0000-000000000000'

/**
 * The figures the trigger keeps, next to the same figures summed from the deals themselves: every
 * deal counts for its company (the nil uuid) and, when someone owns it, for its owner — or, as
 * before migration 20261124100000, only under its owner or the nil uuid.
 */
async function compare(db: Db, owners = sql`array_remove(array[${nil}::uuid, owner_id], null)`) {
  const kept = await sql<Record<string, unknown>>`
    select 'open' as kind, partner_id, owner_key, currency, stage as bucket, deals, value::float8 as amount from opportunity_open_figures where deals <> 0
    union all
    select 'won', partner_id, owner_key, currency, month::text, deals, revenue::float8 from opportunity_won_figures where deals <> 0
    order by 1, 2, 3, 4, 5`.execute(db)
  const summed = await sql<Record<string, unknown>>`
    select 'open' as kind, partner_id, k.owner_key, currency, stage as bucket, count(*)::int as deals, sum(estimated_revenue)::float8 as amount
    from opportunities cross join unnest(${owners}) as k(owner_key)
    where status = 'open' and partner_id is not null group by 1, 2, 3, 4, 5
    union all
    select 'won', partner_id, k.owner_key, currency, date_trunc('month', closed_at at time zone 'UTC')::date::text, count(*)::int, sum(actual_revenue)::float8
    from opportunities cross join unnest(${owners}) as k(owner_key)
    where status = 'won' and partner_id is not null group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5`.execute(db)
  return { kept: kept.rows, summed: summed.rows }
}

t.test('the dashboard figures follow every change to the deals', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  await seedDemo(app)
  let { kept, summed } = await compare(db)
  t.ok(summed.length > 4, 'the demo data has open and won deals')
  t.same(kept, summed, 'after the demo data')

  const open = await db.selectFrom('opportunities').select(['id', 'partner_id', 'owner_id']).where('status', '=', 'open').orderBy('number').limit(4).execute()
  const [a, b, c, d] = open.map((o) => o.id)
  const someone = await db.selectFrom('users').select('id').where('partner_id', '=', open[3]!.partner_id)
    .where('id', 'is distinct from', open[3]!.owner_id).limit(1).executeTakeFirstOrThrow()
  await db.updateTable('opportunities').set({ stage: 'close' }).where('id', '=', a!).execute()
  await db.updateTable('opportunities').set({ estimated_revenue: '123456.78', currency: 'EUR' }).where('id', '=', b!).execute()
  await db.updateTable('opportunities').set({ status: 'won', actual_revenue: '9999.99', closed_at: new Date('2026-02-15T23:30:00Z') }).where('id', '=', c!).execute()
  await db.updateTable('opportunities').set({ owner_id: someone.id }).where('id', '=', d!).execute()
  await db.updateTable('opportunities').set({ closed_at: new Date('2026-03-01T00:30:00Z') }).where('id', '=', c!).execute()
  await db.updateTable('opportunities').set({ status: 'lost', closed_at: new Date() }).where('id', '=', a!).execute()
  await db.updateTable('opportunities').set({ name: 'Renamed only' }).where('id', '=', b!).execute()
  ;({ kept, summed } = await compare(db))
  t.same(kept, summed, 'after stage, amount, currency, status, owner and close-date changes')

  const other = await db.selectFrom('partners').select('id').where('id', '!=', open[0]!.partner_id).where('status', '=', 'active').limit(1).executeTakeFirstOrThrow()
  await db.updateTable('opportunities').set({ partner_id: other.id, owner_id: null }).where('id', '=', d!).execute()
  await db.updateTable('opportunities').set({ partner_id: null, status: 'queued' }).where('id', '=', b!).execute()
  const extra = await db.insertInto('opportunities').values({
    ...(await db.selectFrom('opportunities').selectAll().where('id', '=', c!).executeTakeFirstOrThrow()),
    id: undefined, number: undefined, status: 'open', closed_at: null, actual_revenue: null
  } as never).returning('id').executeTakeFirstOrThrow()
  ;({ kept, summed } = await compare(db))
  t.same(kept, summed, 'after a move to another partner, a return to the queue and a new deal')
  await db.deleteFrom('opportunities').where('id', '=', extra.id).execute()
  ;({ kept, summed } = await compare(db))
  t.same(kept, summed, 'after a deal is deleted')
})

t.test('the figures can be rebuilt from the deals after a load that bypassed the trigger', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  await seedDemo(app)
  const before = await compare(db)
  await sql`delete from opportunity_open_figures`.execute(db)
  await sql`update opportunity_won_figures set revenue = revenue + 1`.execute(db)
  const broken = await compare(db)
  t.not(JSON.stringify(broken.kept), JSON.stringify(broken.summed), 'the figures no longer match the deals')
  await sql`select opportunity_figures_rebuild()`.execute(db)
  const after = await compare(db)
  t.same(after.kept, after.summed, 'rebuilt, they match again')
  t.same(after.kept, before.kept, 'and are what the trigger had kept')
})

t.test('deals of one partner changed at once, crossing stages, owners and currencies, neither deadlock nor drift',
  { skip: serverUrl ? false : 'concurrent connections need PostgreSQL (TEST_DATABASE_URL)' }, async (t) => {
    const { app } = await buildTestApp(t)
    const { db } = app.diContainer.cradle
    await seedDemo(app)
    const partner = await db.selectFrom('opportunities').select('partner_id').where('status', '=', 'open')
      .groupBy('partner_id').orderBy(sql`count(*)`, 'desc').limit(1).executeTakeFirstOrThrow()
    const deals = await db.selectFrom('opportunities').select('id').where('partner_id', '=', partner.partner_id).where('status', '=', 'open').execute()
    const owners = await db.selectFrom('users').select('id').where('partner_id', '=', partner.partner_id).execute()
    t.ok(deals.length >= 2 && owners.length >= 2, 'a partner with several open deals and people')

    const stages = ['qualify', 'develop', 'propose', 'close'] as const
    const changes = Array.from({ length: 120 }, (_, i) => {
      const deal = deals[i % deals.length]!
      return db.updateTable('opportunities').set({
        stage: stages[(i * 7) % 4]!, owner_id: i % 3 === 0 ? null : owners[i % owners.length]!.id,
        currency: i % 5 === 0 ? 'EUR' : 'USD', estimated_revenue: String(1000 + i)
      }).where('id', '=', deal.id).execute()
    })
    const results = await Promise.allSettled(changes)
    t.same(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], 'every change went through')
    const { kept, summed } = await compare(db)
    t.same(kept, summed, 'and the figures still match the deals')
  })

t.test('the company-wide figures migrate down to owners only and back up', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  await seedDemo(app)
  const ownersOnly = sql`array[coalesce(owner_id, ${nil}::uuid)]`

  await companyFigures.down(db)
  const open = await db.selectFrom('opportunities').select(['id', 'stage']).where('status', '=', 'open').where('owner_id', 'is not', null).limit(1).executeTakeFirstOrThrow()
  await db.updateTable('opportunities').set({ stage: open.stage === 'close' ? 'qualify' : 'close' }).where('id', '=', open.id).execute()
  let { kept, summed } = await compare(db, ownersOnly)
  t.same(kept, summed, 'down: one row per owner and none for the company, the trigger keeping them so')

  await companyFigures.up(db)
  await db.updateTable('opportunities').set({ stage: open.stage }).where('id', '=', open.id).execute()
  ;({ kept, summed } = await compare(db))
  t.same(kept, summed, 'up again: company and owner rows, kept by the trigger')
})
