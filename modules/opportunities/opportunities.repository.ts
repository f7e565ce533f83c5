import { type RawBuilder, sql, type Insertable, type SelectQueryBuilder, type Updateable } from 'kysely'
import type { Database, Db, DbOrTrx } from '../../core/db/database.ts'
import { timePage } from '../../core/pagination.ts'
import type { PartnerFacts } from './scoring.ts'
import {
  stages, type DistributionRulesTable, type OfferStatus, type OpportunitiesTable, type OpportunityRow, type OpportunityStatus, type RulesRow, type Stage
} from './opportunities.table.ts'

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`
export const liveStatuses: OpportunityStatus[] = ['queued', 'offered', 'pending_approval', 'open']
/** The dashboard figures keep the company's totals under this owner key, and each owner's under their id. */
const companyFigures = '00000000-0000-0000-0000-000000000000'

export async function insertOpportunity(db: DbOrTrx, values: Insertable<OpportunitiesTable>): Promise<OpportunityRow> {
  return db.insertInto('opportunities').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function updateOpportunity(db: DbOrTrx, id: string, changes: Updateable<OpportunitiesTable>): Promise<OpportunityRow> {
  return db.updateTable('opportunities').set({ ...changes, updated_at: sql`now()`, last_activity_at: sql`now()` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export function lockOpportunity(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunities').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export function findOpportunity(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunities')
    .leftJoin('partners', 'partners.id', 'opportunities.partner_id')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .selectAll('opportunities').select(['partners.name as partner_name', 'owner.name as owner_name'])
    .where('opportunities.id', '=', id).executeTakeFirst()
}

/** The partner's view of one opportunity: held by the partner (within the scope) or shared with it. */
export function findForPartner(db: DbOrTrx, partnerId: string, id: string, ownerId: string | null) {
  return db.selectFrom('opportunities')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .leftJoin('opportunity_collaborators as c', (j) => j.onRef('c.opportunity_id', '=', 'opportunities.id').on('c.partner_id', '=', partnerId))
    .selectAll('opportunities').select(['owner.name as owner_name', sql<boolean>`c.partner_id is not null`.as('collaborating')])
    .where('opportunities.id', '=', id)
    .where((eb) => eb.or([
      eb.and([eb('opportunities.partner_id', '=', partnerId), ...(ownerId ? [eb('opportunities.owner_id', '=', ownerId)] : [])]),
      eb('c.partner_id', '=', partnerId)
    ]))
    .executeTakeFirst()
}

export interface PipelineFilter {
  partnerId: string
  ownerId: string | null
  /** Whether deals other partners share with this one come along (they have no owner here). */
  shared: boolean
  status?: OpportunityStatus
  stage?: Stage
  search?: string
  accountId?: string
  after?: { key: string; id: string }
  limit: number
}

/**
 * The partner's pipeline, newest activity first (`updated_key`, the time to the microsecond, is the
 * cursor); shared opportunities come along, marked. The
 * partner's own page and the shared page are each read from their index and then merged, so the
 * list never walks the whole table (an OR across both would).
 */
export function listPipeline(db: Db, f: PipelineFilter) {
  const filtered = <Q extends SelectQueryBuilder<Database, 'opportunities', object>>(query: Q): Q => {
    let q = query
    if (f.status) q = q.where('opportunities.status', '=', f.status) as Q
    if (f.stage) q = q.where('opportunities.stage', '=', f.stage) as Q
    if (f.search) q = q.where((eb) => eb.or([eb('opportunities.name', 'ilike', like(f.search!)), eb('opportunities.customer_name', 'ilike', like(f.search!))])) as Q
    if (f.accountId) q = q.where('opportunities.account_id', '=', f.accountId) as Q
    if (f.after) {
      const at = sql<Date>`${f.after.key}::timestamptz`
      q = q.where((eb) => eb.or([eb('opportunities.updated_at', '<', at), eb.and([eb('opportunities.updated_at', '=', at), eb('opportunities.id', '<', f.after!.id)])])) as Q
    }
    return q.orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(f.limit) as Q
  }
  return db
    .with('own', () => filtered(db.selectFrom('opportunities').select('opportunities.id')
      .where('opportunities.partner_id', '=', f.partnerId)
      .$if(f.ownerId !== null, (q) => q.where('opportunities.owner_id', '=', f.ownerId!))))
    .with('shared', () => filtered(db.selectFrom('opportunities').select('opportunities.id')
      .where('opportunities.id', 'in', db.selectFrom('opportunity_collaborators').select('opportunity_id').where('partner_id', '=', f.partnerId))))
    .selectFrom('opportunities')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .select(['opportunities.id', 'opportunities.number', 'opportunities.name', 'opportunities.customer_name', 'opportunities.status',
      'opportunities.stage', 'opportunities.estimated_revenue', 'opportunities.currency', 'opportunities.expected_close',
      'opportunities.updated_at', 'opportunities.partner_id', 'owner.name as owner_name', sql<string>`opportunities.updated_at::text`.as('updated_key')])
    .where('opportunities.id', 'in', (eb) => f.shared
      ? eb.selectFrom('own').select('own.id').union(eb.selectFrom('shared').select('shared.id'))
      : eb.selectFrom('own').select('own.id'))
    .orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(f.limit).execute()
}

/**
 * Open deals by stage for the board: the column totals from the figures the trigger keeps, and the
 * first cards of each stage by expected close, read stage by stage from their index — so the board
 * reads what it shows, not every open deal of the partner.
 */
export async function boardColumns(db: Db, partnerId: string, ownerId: string | null, perStage: number) {
  const { rows: totals } = await sql<{ stage: Stage; currency: string; count: number; value: string }>`
    select stage, currency, deals as count, value from opportunity_open_figures
    where partner_id = ${partnerId} and owner_key = ${ownerId ?? companyFigures} and deals > 0`.execute(db)
  const { rows: cards } = await sql<BoardCard>`select c.* from unnest(${sql.val([...stages])}::text[]) with ordinality as s(stage, n)
    cross join lateral (
      select id, number, name, customer_name, stage, estimated_revenue, currency, expected_close from opportunities
      where partner_id = ${partnerId} and status = 'open' and stage = s.stage ${ownerId ? sql`and owner_id = ${ownerId}` : sql``}
      order by expected_close, id limit ${sql.lit(perStage)}) c
    order by s.n, c.expected_close, c.id`.execute(db)
  return { totals, cards }
}

interface BoardCard {
  id: string
  number: number
  name: string
  customer_name: string
  stage: Stage
  estimated_revenue: string | null
  currency: string
  expected_close: Date | null
}

/** Other live deals for the same customer: the same account, or the same domain at another partner. */
export function conflictsFor(db: DbOrTrx, o: { id?: string; accountId: string | null; domain: string | null; partnerId: string | null }) {
  return db.selectFrom('opportunities').leftJoin('partners', 'partners.id', 'opportunities.partner_id')
    .select(['opportunities.id', 'opportunities.number', 'opportunities.name', 'opportunities.status', 'opportunities.partner_id', 'partners.name as partner_name', 'opportunities.estimated_revenue', 'opportunities.currency'])
    .where('opportunities.status', 'in', liveStatuses)
    .$if(Boolean(o.id), (q) => q.where('opportunities.id', '<>', o.id!))
    .where((eb) => eb.or([
      ...(o.accountId ? [eb('opportunities.account_id', '=', o.accountId)] : []),
      ...(o.domain ? [eb.and([eb('opportunities.customer_domain', '=', o.domain), eb('opportunities.partner_id', 'is distinct from', o.partnerId)])] : []),
      eb.val(false)
    ]))
    .limit(20).execute()
}

export async function openCountForAccount(db: DbOrTrx, accountId: string): Promise<number> {
  const row = await db.selectFrom('opportunities').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId).where('status', 'in', liveStatuses).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A customer account's latest opportunities, each row carrying how many there are in all (`total`). */
export function listForAccount(db: Db, accountId: string, partnerId: string | null, ownerId: string | null, limit: number) {
  return db.selectFrom('opportunities')
    .select(['id', 'number', 'name', 'status', 'stage', 'estimated_revenue', 'currency', 'expected_close', sql<string>`count(*) over ()`.as('total')])
    .where('account_id', '=', accountId)
    .$if(partnerId !== null, (q) => q.where('partner_id', '=', partnerId!))
    .$if(ownerId !== null, (q) => q.where('owner_id', '=', ownerId!))
    .orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

// Offers

export async function insertOffer(db: DbOrTrx, offer: { opportunity_id: string; partner_id: string; deadline: Date; score: number | null; reasons: string; offered_by: string | null }) {
  return db.insertInto('opportunity_offers').values(offer).returningAll().executeTakeFirstOrThrow()
}

export function lockOffer(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function setOfferStatus(db: DbOrTrx, id: string, status: OfferStatus, by: string | null, reason: string | null = null): Promise<void> {
  await db.updateTable('opportunity_offers').set({ status, answered_by: by, reason, answered_at: sql`now()` }).where('id', '=', id).execute()
}

export function acceptedOfferFor(db: DbOrTrx, opportunityId: string, partnerId: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('opportunity_id', '=', opportunityId)
    .where('partner_id', '=', partnerId).where('status', '=', 'accepted').executeTakeFirst()
}

export function offersOf(db: DbOrTrx, opportunityId: string) {
  return db.selectFrom('opportunity_offers').innerJoin('partners', 'partners.id', 'opportunity_offers.partner_id')
    .selectAll('opportunity_offers').select('partners.name as partner_name')
    .where('opportunity_id', '=', opportunityId).orderBy('offered_at').execute()
}

/** The partner's inbox: offers waiting for its answer, soonest deadline first, a page after `after`. */
export function pendingOffersForPartner(db: Db, partnerId: string, page: { after?: { key: string; id: string }; limit: number }) {
  return db.selectFrom('opportunity_offers').innerJoin('opportunities', 'opportunities.id', 'opportunity_offers.opportunity_id')
    .select(['opportunity_offers.id', 'opportunity_offers.deadline', 'opportunity_offers.offered_at', 'opportunities.id as opportunity_id',
      'opportunities.number', 'opportunities.name', 'opportunities.customer_name', 'opportunities.territory', 'opportunities.expertise',
      'opportunities.estimated_revenue', 'opportunities.currency', 'opportunities.expected_close', 'opportunities.description',
      sql<string>`opportunity_offers.deadline::text`.as('deadline_key')])
    .where('opportunity_offers.partner_id', '=', partnerId).where('opportunity_offers.status', '=', 'pending')
    .$if(page.after !== undefined, (q) => q.where((eb) => {
      const at = sql<Date>`${page.after!.key}::timestamptz`
      return eb.or([eb('opportunity_offers.deadline', '>', at), eb.and([eb('opportunity_offers.deadline', '=', at), eb('opportunity_offers.id', '>', page.after!.id)])])
    }))
    .orderBy('opportunity_offers.deadline').orderBy('opportunity_offers.id').limit(page.limit).execute()
}

export function findOfferForPartner(db: DbOrTrx, partnerId: string, offerId: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('id', '=', offerId).where('partner_id', '=', partnerId).executeTakeFirst()
}

export async function partnersOffered(db: DbOrTrx, opportunityId: string): Promise<string[]> {
  const rows = await db.selectFrom('opportunity_offers').select('partner_id').where('opportunity_id', '=', opportunityId).execute()
  return rows.map((r) => r.partner_id)
}

// Collaborators and timeline

export async function addCollaborator(db: DbOrTrx, opportunityId: string, partnerId: string, by: string): Promise<boolean> {
  const result = await db.insertInto('opportunity_collaborators').values({ opportunity_id: opportunityId, partner_id: partnerId, added_by: by })
    .onConflict((oc) => oc.doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function removeCollaborator(db: DbOrTrx, opportunityId: string, partnerId: string): Promise<void> {
  await db.deleteFrom('opportunity_collaborators').where('opportunity_id', '=', opportunityId).where('partner_id', '=', partnerId).execute()
}

export function collaboratorsOf(db: DbOrTrx, opportunityId: string) {
  return db.selectFrom('opportunity_collaborators').innerJoin('partners', 'partners.id', 'opportunity_collaborators.partner_id')
    .select(['partners.id', 'partners.name', 'opportunity_collaborators.added_at']).where('opportunity_id', '=', opportunityId).orderBy('partners.name').execute()
}

export async function insertEvent(db: DbOrTrx, event: { opportunity_id: string; partner_id: string | null; staff_only?: boolean; kind: string; body?: string; actor_id: string | null; actor_name: string }): Promise<void> {
  await db.insertInto('opportunity_events').values(event).execute()
}

const timelinePage = 50

/**
 * The timeline, newest first, 50 events a page after `after`. Staff (null) see everything; a partner sees general events and those of the
 * partners now involved with the deal (the holder and its collaborators), never a former holder's.
 */
export async function timeline(db: DbOrTrx, opportunityId: string, involvedPartners: string[] | null, after?: { key: string; id: string }) {
  const rows = await db.selectFrom('opportunity_events').selectAll().select(sql<string>`at::text`.as('at_key'))
    .where('opportunity_id', '=', opportunityId)
    .$if(involvedPartners !== null, (q) => q.where('staff_only', '=', false)
      .where((eb) => eb.or([eb('partner_id', 'is', null), ...(involvedPartners!.length ? [eb('partner_id', 'in', involvedPartners!)] : [])])))
    .$if(after !== undefined, (q) => q.where((eb) => {
      const at = sql<Date>`${after!.key}::timestamptz`
      return eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', after!.id)])])
    }))
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(timelinePage + 1).execute()
  return timePage(rows, timelinePage, (e) => e.at_key)
}

// Rules

export function getRules(db: DbOrTrx): Promise<RulesRow> {
  return db.selectFrom('distribution_rules').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
}

export async function updateRules(db: DbOrTrx, rules: Updateable<DistributionRulesTable>): Promise<void> {
  await db.updateTable('distribution_rules').set({ ...rules, updated_at: sql`now()` }).where('id', '=', 1).execute()
}

/** A partner's answers to offers (joined as f for partners p): answered, accepted, returned, response time. */
const offerRecord = sql`left join lateral (
      select count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned')) as answered,
        count(*) filter (where status in ('accepted', 'returned')) as accepted, count(*) filter (where status = 'returned') as returned,
        avg(extract(epoch from answered_at - offered_at) / 3600) filter (where answered_at is not null and status <> 'withdrawn') as avg_response_hours
      from opportunity_offers where partner_id = p.id
    ) f on true`

/** Profile and track record of the active partners that could take a deal. */
export async function partnerFacts(db: DbOrTrx, stallDays: number, territory?: string): Promise<PartnerFacts[]> {
  const rows = await sql<Record<string, unknown>>`
    select p.id, p.name, l.name as level_name, coalesce(l.rank, 0) as level_rank, p.territories, p.expertise, p.capacity,
      coalesce(o.open_count, 0) as open_count, coalesce(o.won, 0) as won, coalesce(o.lost, 0) as lost, coalesce(o.stalled, 0) as stalled,
      o.avg_days_to_close, coalesce(f.answered, 0) as answered, coalesce(f.accepted, 0) as accepted, coalesce(f.returned, 0) as returned,
      f.avg_response_hours
    from partners p
    left join partner_levels l on l.id = p.level_id
    left join lateral (
      select count(*) filter (where status in ('open', 'pending_approval')) as open_count,
        count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost,
        count(*) filter (where status = 'open' and last_activity_at < now() - make_interval(days => ${stallDays})) as stalled,
        avg(extract(epoch from closed_at - created_at) / 86400) filter (where status = 'won') as avg_days_to_close
      from opportunities where partner_id = p.id
    ) o on true
    ${offerRecord}
    where p.status = 'active' ${territory ? sql`and p.territories @> array[${territory}]::text[]` : sql``}
    order by p.name limit 2000`.execute(db)
  return rows.rows.map((r) => ({
    id: String(r.id), name: String(r.name), levelName: (r.level_name as string | null) ?? null, levelRank: Number(r.level_rank),
    territories: r.territories as string[], expertise: r.expertise as string[], capacity: Number(r.capacity),
    openCount: Number(r.open_count), won: Number(r.won), lost: Number(r.lost), stalled: Number(r.stalled),
    offersAnswered: Number(r.answered), offersAccepted: Number(r.accepted), returned: Number(r.returned),
    avgResponseHours: r.avg_response_hours === null ? null : Number(r.avg_response_hours),
    avgDaysToClose: r.avg_days_to_close === null ? null : Number(r.avg_days_to_close)
  }))
}

export interface StaffQueue { queued: number; offered: number; pending_approval: number }

/** Deals waiting for staff, as one JSON value for a page loader. */
export function staffQueueQuery(): RawBuilder<StaffQueue> {
  return sql<StaffQueue>`select json_build_object(
      'queued', count(*) filter (where status = 'queued'),
      'offered', count(*) filter (where status = 'offered'),
      'pending_approval', count(*) filter (where status = 'pending_approval'))
    from opportunities where status in ('queued', 'offered', 'pending_approval')`
}

/** Demo data only: puts a deal's dates in the past so dashboards show quarters and stalled deals. */
export async function backdate(db: DbOrTrx, id: string, dates: { createdAt?: Date; closedAt?: Date; lastActivityAt?: Date }): Promise<void> {
  await db.updateTable('opportunities').set({
    ...(dates.createdAt ? { created_at: dates.createdAt } : {}),
    ...(dates.closedAt ? { closed_at: dates.closedAt } : {}),
    ...(dates.lastActivityAt ? { last_activity_at: dates.lastActivityAt, updated_at: dates.lastActivityAt } : {})
  }).where('id', '=', id).execute()
}

// Staff: every opportunity, and the channel's figures per partner

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
export function listAll(db: Db, f: StaffFilter) {
  let query = db.selectFrom('opportunities').leftJoin('partners', 'partners.id', 'opportunities.partner_id')
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
  if (f.after) {
    const at = sql<Date>`${f.after.key}::timestamptz`
    query = query.where((eb) => eb.or([
      eb('opportunities.updated_at', '<', at),
      eb.and([eb('opportunities.updated_at', '=', at), eb('opportunities.id', '<', f.after!.id)])
    ]))
  }
  return query.orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(f.limit).execute()
}

export async function statusCounts(db: Db, of: { partnerId?: string; accountId?: string } = {}): Promise<Record<OpportunityStatus, number>> {
  const rows = await db.selectFrom('opportunities').select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .$if(Boolean(of.partnerId), (q) => q.where('partner_id', '=', of.partnerId!))
    .$if(Boolean(of.accountId), (q) => q.where('account_id', '=', of.accountId!)).groupBy('status').execute()
  const counts = { queued: 0, offered: 0, pending_approval: 0, declined: 0, open: 0, won: 0, lost: 0 }
  for (const row of rows) counts[row.status] = Number(row.n)
  return counts
}

export const channelSorts = ['name', 'pipeline', 'won', 'win_rate', 'acceptance', 'response', 'returns'] as const
export type ChannelSort = (typeof channelSorts)[number]

const channelOrder: Record<ChannelSort, ReturnType<typeof sql>> = {
  name: sql`p.name, p.id`,
  pipeline: sql`open_value desc, p.name, p.id`,
  won: sql`won_value desc, p.name, p.id`,
  win_rate: sql`win_rate desc nulls last, p.name, p.id`,
  acceptance: sql`acceptance_rate desc nulls last, p.name, p.id`,
  response: sql`avg_response_hours asc nulls last, p.name, p.id`,
  returns: sql`return_rate desc nulls last, p.name, p.id`
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

/** Each partner's pipeline and track record in one pass; values count deals in the given currency. */
export async function channelFigures(db: Db, f: { currency: string; search?: string; sort: ChannelSort; limit: number }): Promise<ChannelFigures[]> {
  const rows = await sql<Record<string, unknown>>`
    select p.id, p.name, p.status, l.name as level_name,
      coalesce(o.open_count, 0) as open_count, coalesce(o.open_value, 0) as open_value,
      coalesce(o.won_count, 0) as won_count, coalesce(o.won_value, 0) as won_value,
      o.won::numeric / nullif(o.won + o.lost, 0) as win_rate,
      f.accepted::numeric / nullif(f.answered, 0) as acceptance_rate,
      f.returned::numeric / nullif(f.accepted, 0) as return_rate,
      f.avg_response_hours
    from partners p
    left join partner_levels l on l.id = p.level_id
    left join lateral (
      select count(*) filter (where status = 'open') as open_count,
        sum(estimated_revenue) filter (where status = 'open' and currency = ${f.currency}) as open_value,
        count(*) filter (where status = 'won' and closed_at >= date_trunc('year', now())) as won_count,
        sum(actual_revenue) filter (where status = 'won' and closed_at >= date_trunc('year', now()) and currency = ${f.currency}) as won_value,
        count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost
      from opportunities where partner_id = p.id
    ) o on true
    ${offerRecord}
    where p.status in ('active', 'suspended') ${f.search ? sql`and p.name ilike ${like(f.search)}` : sql``}
    order by ${channelOrder[f.sort]} limit ${sql.lit(f.limit)}`.execute(db)
  const rate = (value: unknown) => (value === null ? null : Number(value))
  return rows.rows.map((r) => ({
    id: String(r.id), name: String(r.name), status: String(r.status), levelName: (r.level_name as string | null) ?? null,
    openCount: Number(r.open_count), openValue: Number(r.open_value), wonCount: Number(r.won_count), wonValue: Number(r.won_value),
    winRate: rate(r.win_rate), acceptanceRate: rate(r.acceptance_rate), returnRate: rate(r.return_rate), avgResponseHours: rate(r.avg_response_hours)
  }))
}

/** The partners with the most revenue won this year, in the given currency. */
export async function topWonPartners(db: Db, currency: string, limit: number) {
  const rows = await db.selectFrom('opportunities').innerJoin('partners', 'partners.id', 'opportunities.partner_id')
    .select(['partners.name', (eb) => eb.fn.sum<string>('opportunities.actual_revenue').as('value')])
    .where('opportunities.status', '=', 'won').where('opportunities.currency', '=', currency)
    .where('opportunities.closed_at', '>=', sql<Date>`date_trunc('year', now())`)
    .groupBy(['partners.id', 'partners.name']).orderBy('value', 'desc').limit(limit).execute()
  return rows.map((r) => ({ name: r.name, value: Number(r.value) }))
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
