import { sql, type RawBuilder } from 'kysely'

/** The dashboard figures keep the company's totals under this owner key, and each owner's under their id. */
export const companyFigures = '00000000-0000-0000-0000-000000000000'

export interface StaffQueue { queued: number; offered: number; pending_approval: number }

/** Deals waiting for staff, as one JSON value for a page loader, from the counts kept per partner and status. */
export function staffQueueQuery(): RawBuilder<StaffQueue> {
  return sql<StaffQueue>`select json_build_object(
      'queued', coalesce(sum(deals) filter (where status = 'queued'), 0),
      'offered', coalesce(sum(deals) filter (where status = 'offered'), 0),
      'pending_approval', coalesce(sum(deals) filter (where status = 'pending_approval'), 0))
    from opportunity_status_figures where status in ('queued', 'offered', 'pending_approval')`
}

export interface CurrencyFigures {
  currency: string
  won_this_quarter: number
  won_last_quarter: number
  won_this_year: number
  won_count_year: number
  by_stage: Record<string, { count: number; value: number }>
}

export interface DashboardFigures {
  figures: CurrencyFigures[]
  stalled: Array<{ id: string; number: number; name: string; customer_name: string; last_activity_at: string }>
  offers: Array<{ id: string; name: string; estimated_revenue: number; currency: string; deadline: string }>
  stall_days: number
}

interface RawFigures { stages: StageRow[]; won: WonRow[]; stalled: DashboardFigures['stalled']; offers: DashboardFigures['offers']; stall_days: number }

/**
 * Every opportunity figure of the partner dashboard as one JSON value for a page loader: the
 * pipeline and revenue from the figures a trigger keeps per partner and owner (migrations 20261124070000 and 20261124100000),
 * the stalled deals and waiting offers as the first rows of the partner's indexes — so the page
 * costs the same whatever the partner or the system holds.
 */
export function dashboardFiguresQuery(partnerId: string, ownerId: string | null, now = new Date()): RawBuilder<RawFigures> {
  const mine = sql`partner_id = ${partnerId} ${ownerId ? sql`and owner_id = ${ownerId}` : sql``}`
  const theirs = sql`partner_id = ${partnerId} and owner_key = ${ownerId ?? companyFigures}`
  const year = new Date(Date.UTC(now.getUTCFullYear(), 0, 1))
  const quarter = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (now.getUTCMonth() % 3), 1))
  const lastQuarter = new Date(Date.UTC(quarter.getUTCFullYear(), quarter.getUTCMonth() - 3, 1))
  const since = lastQuarter < year ? lastQuarter : year
  const day = (d: Date) => d.toISOString().slice(0, 10)
  // Lists are array(select row_to_json …), not json_agg: each json_agg is an aggregate that
  // PostgreSQL sets up again on every run; without them a run went from 174 to 157 µs
  // (bench/RESULTS.md). Open figures hold one row per currency and stage, so they need no sum.
  return sql<RawFigures>`select json_build_object(
    'stages', array(select row_to_json(x) from (
      select currency, stage, deals as count, value from opportunity_open_figures
      where ${theirs} and deals > 0) x),
    'won', array(select row_to_json(x) from (
      select currency,
        coalesce(sum(revenue) filter (where month >= ${day(quarter)}::date), 0) as this_quarter,
        coalesce(sum(revenue) filter (where month >= ${day(lastQuarter)}::date and month < ${day(quarter)}::date), 0) as last_quarter,
        coalesce(sum(revenue) filter (where month >= ${day(year)}::date), 0) as this_year,
        coalesce(sum(deals) filter (where month >= ${day(year)}::date), 0) as count_year
      from opportunity_won_figures
      where ${theirs} and month >= ${day(since)}::date
      group by currency having sum(deals) > 0) x),
    'stalled', array(select row_to_json(x) from (
      select id, number, name, customer_name, last_activity_at from opportunities
      where ${mine} and status = 'open' and last_activity_at < now() - make_interval(days => (select stall_days from distribution_rules where id = 1))
      order by last_activity_at limit 5) x),
    'offers', array(select row_to_json(x) from (
      select f.id, o.name, o.estimated_revenue, o.currency, f.deadline from opportunity_offers f
      join opportunities o on o.id = f.opportunity_id
      where f.partner_id = ${partnerId} and f.status = 'pending' order by f.deadline limit 5) x),
    'stall_days', (select stall_days from distribution_rules where id = 1))`
}

/** The loaded figures by currency, as the widgets show them. */
export function toDashboardFigures(raw: RawFigures): DashboardFigures {
  const byCurrency = new Map<string, CurrencyFigures>()
  const entry = (currency: string) => byCurrency.get(currency) ?? byCurrency.set(currency, {
    currency, won_this_quarter: 0, won_last_quarter: 0, won_this_year: 0, won_count_year: 0, by_stage: {}
  }).get(currency)!
  for (const s of raw.stages) entry(s.currency).by_stage[s.stage] = { count: Number(s.count), value: Number(s.value) }
  for (const w of raw.won) {
    Object.assign(entry(w.currency), {
      won_this_quarter: Number(w.this_quarter), won_last_quarter: Number(w.last_quarter), won_this_year: Number(w.this_year), won_count_year: Number(w.count_year)
    })
  }
  return { figures: [...byCurrency.values()], stalled: raw.stalled, offers: raw.offers, stall_days: Number(raw.stall_days) }
}

interface StageRow { currency: string; stage: string; count: number; value: number }
interface WonRow { currency: string; this_quarter: number; last_quarter: number; this_year: number; count_year: number }
