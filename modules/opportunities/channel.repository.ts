import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../core/data/database.ts'
import { olderThan } from '../../core/data/keyset.ts'
import { partnerProfiles } from '../partners/index.ts'
import { companyFigures } from './figures.repository.ts'
import type { ChannelSort, OpportunityStatus, Stage } from './opportunities.table.ts'

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

export interface StaffFilter {
  status?: OpportunityStatus
  partnerId?: string
  accountId?: string
  stage?: Stage
  search?: string
  after?: { key: string; id: string }
  limit: number
}

/**
 * All opportunities, latest change first. `updated_key` is updated_at as Postgres prints it: a
 * cursor cut to a JavaScript Date's milliseconds would skip or repeat rows changed within one.
 */
function listAllQuery(db: Db, f: StaffFilter) {
  let query = db.selectFrom('opportunities').leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunities.partner_id')
    .select(['opportunities.id', 'opportunities.number', 'opportunities.name', 'opportunities.customer_name', 'opportunities.status',
      'opportunities.stage', 'opportunities.source', 'opportunities.territory', 'opportunities.estimated_revenue', 'opportunities.currency',
      'opportunities.expected_close', 'opportunities.updated_at', 'opportunities.partner_id', 'partners.name as partner_name',
      sql<string>`opportunities.updated_at::text`.as('updated_key')])
  if (f.status) query = query.where('opportunities.status', '=', f.status)
  if (f.partnerId) query = query.where('opportunities.partner_id', '=', f.partnerId)
  if (f.accountId) query = query.where('opportunities.account_id', '=', f.accountId)
  if (f.stage) query = query.where('opportunities.stage', '=', f.stage)
  if (f.search) {
    const number = /^#?(\d{1,15})$/.exec(f.search)?.[1]
    query = query.where((eb) => eb.or([
      eb('opportunities.name', 'ilike', like(f.search!)), eb('opportunities.customer_name', 'ilike', like(f.search!)),
      ...(number ? [eb('opportunities.number', '=', Number(number))] : [])
    ]))
  }
  if (f.after) query = query.where(olderThan('opportunities.updated_at', 'opportunities.id', f.after))
  return query.orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(f.limit)
}

export function listAll(db: Db, f: StaffFilter) {
  return listAllQuery(db, f).execute()
}

export type StaffListRow = Awaited<ReturnType<typeof listAll>>[number]

type StaffListJson = { [K in keyof StaffListRow]: StaffListRow[K] extends Date ? string : StaffListRow[K] }

/** A page of the list as one JSON value for a page loader, its rows read back with `staffListRow`. */
export function listAllJson(db: Db, f: StaffFilter): RawBuilder<StaffListJson[]> {
  return sql`select array(select row_to_json(x) from (${listAllQuery(db, f)}) x)`
}

/** A row of the JSON list as listAll returns it: times as Dates, the value (a JSON number) as text. */
export const staffListRow = (r: StaffListJson): StaffListRow => ({
  ...r, estimated_revenue: String(r.estimated_revenue), expected_close: new Date(r.expected_close), updated_at: new Date(r.updated_at)
})

/**
 * How many deals are in each status: of one customer account counted from its deals (an account
 * has few), otherwise read from the counts kept per partner (the staff queue's under no partner).
 */
function statusCountsQuery(db: Db, of: { partnerId?: string; accountId?: string }) {
  return of.accountId
    ? db.selectFrom('opportunities').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('account_id', '=', of.accountId)
      .$if(Boolean(of.partnerId), (q) => q.where('partner_id', '=', of.partnerId!)).groupBy('status')
    : db.selectFrom('opportunity_status_figures').select(['status', (eb) => eb.fn.sum<string>('deals').as('n')])
      .$if(Boolean(of.partnerId), (q) => q.where('partner_id', '=', of.partnerId!)).groupBy('status')
}

export function countsOf(rows: Array<{ status: OpportunityStatus; n: string | number }>): Record<OpportunityStatus, number> {
  const counts = { queued: 0, offered: 0, pending_approval: 0, declined: 0, open: 0, won: 0, lost: 0 }
  for (const row of rows) counts[row.status] = Number(row.n)
  return counts
}

export async function statusCounts(db: Db, of: { partnerId?: string; accountId?: string } = {}): Promise<Record<OpportunityStatus, number>> {
  return countsOf(await statusCountsQuery(db, of).execute())
}

/** The same counts as one JSON value for a page loader. */
export function statusCountsJson(db: Db, of: { partnerId?: string; accountId?: string }): RawBuilder<Array<{ status: OpportunityStatus; n: number }>> {
  return sql`select array(select row_to_json(x) from (${statusCountsQuery(db, of)}) x)`
}

export interface ChannelFigures {
  id: string
  name: string
  status: string
  levelName: string | null
  openCount: number
  openValue: number
  wonCount: number
  wonValue: number
  winRate: number | null
  acceptanceRate: number | null
  returnRate: number | null
  avgResponseHours: number | null
}

/** The first day of this year (UTC): the revenue won this year is in the kept years from it on. */
const thisYear = sql`date_trunc('year', now() at time zone 'UTC')::date`

/** A partner's deals open, won and lost, from its status figures. */
const statusFigures = sql`coalesce(sum(deals) filter (where status = 'open'), 0) as open_count,
    coalesce(sum(deals) filter (where status = 'won'), 0) as won, coalesce(sum(deals) filter (where status = 'lost'), 0) as lost
  from opportunity_status_figures where status in ('open', 'won', 'lost')`

/**
 * What each order ranks partners by, and the one kept table it is read from: a ranking reads that
 * table for every partner, the other figures are read for the partners shown only.
 */
function channelRanking(sort: ChannelSort, currency: string): { from: RawBuilder<unknown>; order: RawBuilder<unknown> } {
  const offers = sql`left join opportunity_offer_figures k on k.partner_id = p.id`
  switch (sort) {
    case 'name': return { from: sql``, order: sql`p.name, p.id` }
    case 'pipeline': return {
      from: sql`left join (select partner_id, sum(value) as value from opportunity_open_figures
        where owner_key = ${companyFigures} and currency = ${currency} group by partner_id) k on k.partner_id = p.id`,
      order: sql`coalesce(k.value, 0) desc, p.name, p.id`
    }
    case 'won': return {
      from: sql`left join (select partner_id, sum(revenue) as value from opportunity_won_years
        where year >= ${thisYear} and currency = ${currency} group by partner_id) k on k.partner_id = p.id`,
      order: sql`coalesce(k.value, 0) desc, p.name, p.id`
    }
    case 'win_rate': return {
      from: sql`left join (select partner_id, ${statusFigures} and partner_id is not null group by partner_id) k on k.partner_id = p.id`,
      order: sql`k.won::numeric / nullif(k.won + k.lost, 0) desc nulls last, p.name, p.id`
    }
    case 'acceptance': return { from: offers, order: sql`k.accepted::numeric / nullif(k.answered, 0) desc nulls last, p.name, p.id` }
    case 'response': return { from: offers, order: sql`k.response_hours / nullif(k.timed, 0) asc nulls last, p.name, p.id` }
    case 'returns': return { from: offers, order: sql`k.returned::numeric / nullif(k.accepted, 0) desc nulls last, p.name, p.id` }
  }
}

/**
 * Each partner's pipeline and track record from the figures the triggers keep (deals per status,
 * the company's open figures, revenue won per year, the record of answers to offers): the partners
 * are ranked from the one table the order needs, and the other figures read for the page's partners
 * alone (2 ms instead of 5 ms for summing all four per partner and joining them, at 1,000 partners).
 * Values count deals in the given currency. One JSON value, for a page loader; rows read back with
 * `channelRow`.
 */
export function channelFiguresValue(db: Db, f: { currency: string; search?: string; sort: ChannelSort; limit: number }): RawBuilder<ChannelRow[]> {
  const ranking = channelRanking(f.sort, f.currency)
  return sql`select to_json(array(select row_to_json(x) from (
    with shown as (
      select p.id, p.name, p.status, p.level_name, row_number() over (order by ${ranking.order}) as place
      from ${partnerProfiles(db)} p ${ranking.from}
      where p.status in ('active', 'suspended') ${f.search ? sql`and p.name ilike ${like(f.search)}` : sql``}
      order by ${ranking.order} limit ${sql.lit(f.limit)})
    select p.id, p.name, p.status, p.level_name, coalesce(s.open_count, 0) as open_count, coalesce(o.open_value, 0) as open_value,
      coalesce(w.won_count, 0) as won_count, coalesce(w.won_value, 0) as won_value,
      s.won::numeric / nullif(s.won + s.lost, 0) as win_rate,
      f.accepted::numeric / nullif(f.answered, 0) as acceptance_rate,
      f.returned::numeric / nullif(f.accepted, 0) as return_rate,
      f.response_hours / nullif(f.timed, 0) as avg_response_hours
    from shown p
    left join lateral (select ${statusFigures} and partner_id = p.id) s on true
    left join lateral (select sum(value) as open_value from opportunity_open_figures
      where owner_key = ${companyFigures} and currency = ${f.currency} and partner_id = p.id) o on true
    left join lateral (select sum(deals) as won_count, sum(revenue) filter (where currency = ${f.currency}) as won_value from opportunity_won_years
      where year >= ${thisYear} and partner_id = p.id) w on true
    left join opportunity_offer_figures f on f.partner_id = p.id
    order by p.place) x))`
}

/** A row of channelFiguresValue as it comes back: sums and rates as JSON numbers. */
export interface ChannelRow {
  id: string; name: string; status: string; level_name: string | null; open_count: number; open_value: number; won_count: number; won_value: number
  win_rate: number | null; acceptance_rate: number | null; return_rate: number | null; avg_response_hours: number | null
}

export const channelRow = (r: ChannelRow): ChannelFigures => ({
  id: r.id, name: r.name, status: r.status, levelName: r.level_name, openCount: Number(r.open_count), openValue: Number(r.open_value),
  wonCount: Number(r.won_count), wonValue: Number(r.won_value), winRate: r.win_rate, acceptanceRate: r.acceptance_rate,
  returnRate: r.return_rate, avgResponseHours: r.avg_response_hours
})

/** The partners with the most revenue won this year, in the given currency, from the kept years: one JSON value, for a page loader. */
export function topWonValue(db: Db, currency: string, limit: number): RawBuilder<Array<{ name: string; value: number }>> {
  return sql`select to_json(array(select row_to_json(x) from (
    select p.name, sum(w.revenue) as value from opportunity_won_years w join ${partnerProfiles(db)} p on p.id = w.partner_id
    where w.currency = ${currency} and w.year >= ${thisYear}
    group by p.id, p.name having sum(w.deals) > 0 order by value desc, p.name limit ${sql.lit(limit)}) x))`
}
