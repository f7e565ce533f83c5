import { sql, type SelectQueryBuilder } from 'kysely'
import type { Database, Db, DbOrTrx } from '../../core/data/database.ts'
import { olderThan } from '../../core/data/keyset.ts'
import { shapedQuery } from '../../core/data/shaped-query.ts'
import { companyFigures } from './figures.repository.ts'
import { partnerPeopleQuery } from '../../core/identity/users/users.repository.ts'
import type { UserRow } from '../../core/identity/users/users.table.ts'
import { forPartnerQuery } from './opportunities.repository.ts'
import { stages, type EventRow, type OpportunityStatus, type Stage } from './opportunities.table.ts'
import { timelineQuery } from './timeline.repository.ts'

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

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

/** What else the pipeline's query text depends on than which values are given. */
type PipelineShape = { shared: boolean; limit: number }

type PipelineValues = {
  partnerId: string
  ownerId: string | null
  status?: OpportunityStatus
  stage?: Stage
  search?: string
  accountId?: string
  afterKey?: string
  afterId?: string
}

/**
 * The partner's pipeline, newest activity first (`updated_key`, the time to the microsecond, is the
 * cursor); shared opportunities come along, marked. The partner's own page and the shared page are
 * each read from their index and then merged, so the list never walks the whole table (an OR across
 * both would). Built once per shape: this is the API's and the pipeline page's query.
 */
function pipelineRows(db: DbOrTrx, s: PipelineShape, v: PipelineValues) {
  const filtered = <Q extends SelectQueryBuilder<Database, 'opportunities', object>>(query: Q): Q => {
    let q = query
    if (v.status) q = q.where('opportunities.status', '=', v.status) as Q
    if (v.stage) q = q.where('opportunities.stage', '=', v.stage) as Q
    if (v.search) q = q.where((eb) => eb.or([eb('opportunities.name', 'ilike', v.search!), eb('opportunities.customer_name', 'ilike', v.search!)])) as Q
    if (v.accountId) q = q.where('opportunities.account_id', '=', v.accountId) as Q
    if (v.afterKey && v.afterId) q = q.where(olderThan('opportunities.updated_at', 'opportunities.id', { key: v.afterKey, id: v.afterId })) as Q
    return q.orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(s.limit) as Q
  }
  return db
    .with('own', () => filtered(db.selectFrom('opportunities').select('opportunities.id')
      .where('opportunities.partner_id', '=', v.partnerId)
      .$if(v.ownerId !== null, (q) => q.where('opportunities.owner_id', '=', v.ownerId!))))
    .with('shared', () => filtered(db.selectFrom('opportunities').select('opportunities.id')
      .where('opportunities.id', 'in', db.selectFrom('opportunity_collaborators').select('opportunity_id').where('partner_id', '=', v.partnerId))))
    .selectFrom('opportunities')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .select(['opportunities.id', sql<string>`opportunities.updated_at::text`.as('updated_key')])
    .where('opportunities.id', 'in', (eb) => s.shared
      ? eb.selectFrom('own').select('own.id').union(eb.selectFrom('shared').select('shared.id'))
      : eb.selectFrom('own').select('own.id'))
    .orderBy('opportunities.updated_at', 'desc').orderBy('opportunities.id', 'desc').limit(s.limit)
}

const pipelineQuery = shapedQuery((db, s: PipelineShape, v: PipelineValues) => pipelineRows(db, s, v)
  .select(['opportunities.number', 'opportunities.name', 'opportunities.customer_name', 'opportunities.status',
    'opportunities.stage', 'opportunities.estimated_revenue', 'opportunities.currency', 'opportunities.expected_close',
    'opportunities.updated_at', 'opportunities.partner_id', 'owner.name as owner_name']))

/**
 * Each deal as the API shows it in a list (`summary` of opportunities.resource.ts, which a test
 * holds this to), written by PostgreSQL as JSON text: the API sends the page as read, with no row
 * objects, dates or serialising in between. row_to_json writes it without the spaces
 * json_build_object puts around every colon and comma (a tenth of the page's bytes).
 */
const pipelineJsonQuery = shapedQuery((db, s: PipelineShape, v: PipelineValues) => pipelineRows(db, s, v)
  .select(sql<string>`row_to_json((select r from (select opportunities.id, opportunities.number, opportunities.name,
    opportunities.customer_name as "customerName", opportunities.status, opportunities.stage,
    (select m from (select opportunities.estimated_revenue::text as amount, opportunities.currency) m) as "estimatedRevenue",
    to_char(opportunities.expected_close, 'YYYY-MM-DD') as "expectedClose", owner.name as "ownerName",
    opportunities.partner_id is distinct from ${v.partnerId}::uuid as "sharedWithUs",
    to_char(opportunities.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt") r))::text`.as('json')))

const shapeOf = (f: PipelineFilter): PipelineShape => ({ shared: f.shared, limit: f.limit })

const valuesOf = (f: PipelineFilter): PipelineValues => ({
  partnerId: f.partnerId, ownerId: f.ownerId, status: f.status, stage: f.stage, search: f.search && like(f.search),
  accountId: f.accountId, afterKey: f.after?.key, afterId: f.after?.id
})

export function listPipeline(db: Db, f: PipelineFilter) {
  return pipelineQuery(db, shapeOf(f), valuesOf(f))
}

/** The same page with each deal as the API's JSON text. */
export function listPipelineJson(db: Db, f: PipelineFilter) {
  return pipelineJsonQuery(db, shapeOf(f), valuesOf(f))
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

type EventJson = Omit<EventRow, 'at'> & { at: string; at_key: string }
type PersonJson = Pick<UserRow, 'id' | 'name' | 'email' | 'role' | 'permissions' | 'status'>

/**
 * A deal's partner page in one statement: the deal within the reach, its latest events that this
 * partner may read (general ones and those of the partners now involved: the holder and its
 * collaborators, never a former holder), and, when `peopleOf` names a company, its people to assign.
 */
export async function partnerDealPage(db: Db, reach: { partnerId: string; ownerId: string | null }, id: string,
  after: { key: string; id: string } | undefined, size: number, peopleOf: string | null) {
  const [page] = await dealPage(db, { size }, { ...reach, id, afterKey: after?.key, afterId: after?.id, peopleOf })
  return page
}

type DealPageValues = { partnerId: string; ownerId: string | null; id: string; afterKey?: string; afterId?: string; peopleOf: string | null }

const dealPage = shapedQuery((db, s: { size: number }, v: DealPageValues) => {
  const involved = sql<string>`(select opportunities.partner_id union all
    select oc.partner_id from opportunity_collaborators oc where oc.opportunity_id = opportunities.id)`
  const events = timelineQuery(db, v.id, involved, v.afterKey ? { key: v.afterKey, id: v.afterId! } : undefined, s.size)
  return forPartnerQuery(db, v.partnerId, v.id, v.ownerId)
    .select(sql<EventJson[]>`array(select row_to_json(e) from (${events}) e)`.as('events'))
    .select(v.peopleOf ? sql<PersonJson[]>`array(select row_to_json(p) from (${partnerPeopleQuery(db, v.peopleOf)}) p)`.as('people') : sql<PersonJson[]>`'{}'::json[]`.as('people'))
})
