import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Reach } from '../../core/identity/reach.ts'
import { partnerProfiles } from '../partners/index.ts'
import { activeStatuses, type CaseRow, type CaseStatus, type CasesTable } from './cases.table.ts'
import type { QueueFilter, QueueSort } from './queue.ts'

export async function insertCase(trx: DbOrTrx, values: Insertable<CasesTable>) {
  return trx.insertInto('cases').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function updateCase(trx: DbOrTrx, id: string, changes: Updateable<CasesTable>) {
  return trx.updateTable('cases').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** The partner's case within the reach (the company's, or under "own records" only those the viewer opened). */
export function findForPartner(db: DbOrTrx, reach: Reach, id: string, lock = false) {
  return partnerCaseSelect(db, reach, id).$if(lock, (q) => q.forUpdate(['cases'])).executeTakeFirst()
}

/** The same as one JSON value for a page loader (null: none within the reach). */
export function partnerCaseQuery(db: DbOrTrx, reach: Reach, id: string): RawBuilder<Record<string, unknown> | null> {
  return sql`select row_to_json(x) from (${partnerCaseSelect(db, reach, id)}) x`
}

function partnerCaseSelect(db: DbOrTrx, reach: Reach, id: string) {
  return db.selectFrom('cases').leftJoin('users as creator', 'creator.id', 'cases.created_by')
    .selectAll('cases').select('creator.name as creator_name')
    .where('cases.id', '=', id).where('cases.partner_id', '=', reach.partnerId)
    .$if(reach.ownerId !== null, (q) => q.where('cases.created_by', '=', reach.ownerId!))
}

/**
 * The active statuses written into the query text, not sent as parameters: only then can a prepared
 * statement's generic plan use the indexes kept for them (`… where status in ('new', 'open', 'waiting')`);
 * with parameters PostgreSQL re-plans the queue on every view (0.7–1 ms).
 */
const activeCondition = sql<boolean>`cases.status in (${sql.join(activeStatuses.map((s) => sql.lit(s)))})`

export interface PartnerListFilter { status?: CaseStatus; active?: boolean; createdBy?: string; after?: { key: string; id: string } }

/** A row of the partner's list page: what it shows of a case, and its cursor's key (`updated_key`). */
export type PartnerListRow = Pick<CaseRow, 'id' | 'number' | 'subject' | 'status' | 'priority' | 'account_name' | 'opportunity_name' | 'updated_at'> &
  { creator_name: string | null; updated_key: string }

const listPageColumns = sql`cases.id, cases.number, cases.subject, cases.status, cases.priority, cases.account_name, cases.opportunity_name, cases.updated_at`

type PartnerCase = CaseRow & { creator_name: string | null; updated_key: string }

/** The partner's cases within the reach, whole (the API's), the latest activity first (`updated_key` is the cursor). */
export async function listForPartner(db: Db, reach: Reach, f: PartnerListFilter, limit: number): Promise<PartnerCase[]> {
  return (await sql<PartnerCase>`${partnerList(reach, f, limit, sql`cases.*`)}`.execute(db)).rows
}

/**
 * The same with only what the list page shows: whole cases, with their texts and nine times each to
 * read, were most of what the page cost in Node (issue 14).
 */
export async function listPageForPartner(db: Db, reach: Reach, f: PartnerListFilter, limit: number): Promise<PartnerListRow[]> {
  return (await sql<PartnerListRow>`${partnerList(reach, f, limit, listPageColumns)}`.execute(db)).rows
}

/** Written as SQL: built with Kysely's query builder, the statement cost more to make than to run. */
function partnerList(reach: Reach, f: PartnerListFilter, limit: number, columns: RawBuilder<unknown>): RawBuilder<unknown> {
  const createdBy = reach.ownerId ?? f.createdBy
  const conditions = [
    sql`cases.partner_id = ${reach.partnerId}`,
    ...createdBy ? [sql`cases.created_by = ${createdBy}`] : [],
    ...f.status ? [sql`cases.status = ${f.status}`] : f.active ? [activeCondition] : [],
    ...f.after ? [sql`(cases.updated_at, cases.id) < (${f.after.key}::timestamptz, ${f.after.id})`] : []
  ]
  return sql`select ${columns}, creator.name as creator_name, cases.updated_at::text as updated_key
    from cases left join users as creator on creator.id = cases.created_by
    where ${sql.join(conditions, sql` and `)} order by cases.updated_at desc, cases.id desc limit ${sql.lit(limit)}`
}

/** One case as staff read it: with its company, who opened it and who works on it. */
export function findCase(db: DbOrTrx, id: string, lock = false) {
  return caseSelect(db, id).$if(lock, (q) => q.forUpdate(['cases'])).executeTakeFirst()
}

export type StaffCase = NonNullable<Awaited<ReturnType<typeof findCase>>>

/** The same as one JSON value for a page loader (null: no such case). */
export function caseQuery(db: DbOrTrx, id: string): RawBuilder<Record<string, unknown> | null> {
  return sql`select row_to_json(x) from (${caseSelect(db, id)}) x`
}

/** The deal a case is about, as a subquery for a page loader's value about that deal. */
export const caseDealId = (id: string): RawBuilder<string | null> => sql`select opportunity_id from cases where id = ${id}`

function caseSelect(db: DbOrTrx, id: string) {
  return db.selectFrom('cases')
    .leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'cases.partner_id')
    .leftJoin('users as creator', 'creator.id', 'cases.created_by')
    .leftJoin('users as assignee', 'assignee.id', 'cases.assignee_id')
    .selectAll('cases')
    .select(['partners.name as partner_name', 'partners.level_name', 'creator.name as creator_name', 'creator.email as creator_email',
      'creator.status as creator_status', 'assignee.name as assignee_name'])
    .where('cases.id', '=', id)
}

/** The keyset cursor of each sort: the sort's columns as text, then the id. */
export type QueueCursor = { keys: string[]; id: string }

/** A row of the staff queue: the case as the list shows it, with its partner's and assignee's names and its cursor's keys. */
export type QueueRow = Pick<CaseRow, 'id' | 'number' | 'subject' | 'type' | 'priority' | 'status' | 'account_name' | 'opportunity_name' | 'created_at' |
  'updated_at' | 'partner_id' | 'assignee_id' | 'first_response_at' | 'first_response_due_at' | 'resolution_due_at' | 'paused_at' | 'at_risk_at' |
  'breached_at' | 'deal_stage' | 'deal_raised'> & { partner_name: string | null; assignee_name: string | null; updated_key: string; created_key: string; rank_key: string }

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

/**
 * The queue's filters as one condition on `cases`. Written as SQL rather than built with Kysely's
 * query builder: the queue is read on every view of the staff's busiest page, and building and
 * compiling its statements was a fifth of what a view cost in Node (issue 14).
 */
function filterCondition(f: QueueFilter): RawBuilder<boolean> {
  const number = f.q ? /^(case-)?(\d{1,12})$/i.exec(f.q)?.[2] : undefined
  const all = [
    f.status ? sql`cases.status = ${f.status}` : f.active ? activeCondition : undefined,
    f.priority && sql`cases.priority = ${f.priority}`,
    f.type && sql`cases.type = ${f.type}`,
    f.partnerId && sql`cases.partner_id = ${f.partnerId}`,
    f.assignee === 'none' ? sql`cases.assignee_id is null` : f.assignee ? sql`cases.assignee_id = ${f.assignee}` : undefined,
    f.dealStage && sql`cases.deal_stage = ${f.dealStage}`,
    f.target === 'breached' ? sql`cases.breached_at is not null` : f.target === 'at_risk' ? sql`cases.at_risk_at is not null and cases.breached_at is null` : undefined,
    f.q && (number ? sql`(cases.subject ilike ${like(f.q)} or cases.number = ${Number(number)})` : sql`cases.subject ilike ${like(f.q)}`)
  ].filter((c): c is RawBuilder<boolean> => Boolean(c))
  return all.length ? sql.join(all, sql` and `) : sql`true`
}

const queueColumns = sql`cases.id, cases.number, cases.subject, cases.type, cases.priority, cases.status, cases.account_name, cases.opportunity_name,
  cases.created_at, cases.updated_at, cases.partner_id, cases.assignee_id, cases.first_response_at, cases.first_response_due_at, cases.resolution_due_at,
  cases.paused_at, cases.at_risk_at, cases.breached_at, cases.deal_stage, cases.deal_raised, partners.name as partner_name, assignee.name as assignee_name,
  cases.updated_at::text as updated_key, cases.created_at::text as created_key, cases.priority_rank::text as rank_key`

const queueOrders: Record<QueueSort, RawBuilder<unknown>> = {
  activity: sql`cases.updated_at desc, cases.id desc`,
  newest: sql`cases.created_at desc, cases.id desc`,
  oldest: sql`cases.created_at asc, cases.id asc`,
  priority: sql`cases.priority_rank desc, cases.created_at desc, cases.id desc`
}

/** The rows after the cursor in the sort's order (the cursor's first key is whether its row was raised, with `raise`). */
function afterCursor(sort: QueueSort, after: QueueCursor, raise: boolean): RawBuilder<boolean> {
  const keys = raise ? after.keys.slice(1) : after.keys
  const at = (i: number) => sql`${keys[i]}::timestamptz`
  const inOrder = {
    activity: () => sql<boolean>`(cases.updated_at, cases.id) < (${at(0)}, ${after.id})`,
    newest: () => sql<boolean>`(cases.created_at, cases.id) < (${at(0)}, ${after.id})`,
    oldest: () => sql<boolean>`(cases.created_at, cases.id) > (${at(0)}, ${after.id})`,
    priority: () => sql<boolean>`(cases.priority_rank, cases.created_at, cases.id) < (${Number(keys[0])}, ${at(1)}, ${after.id})`
  }[sort]()
  if (!raise) return inOrder
  const raised = after.keys[0] === '1'
  return sql`(cases.deal_raised < ${raised} or (cases.deal_raised = ${raised} and ${inOrder}))`
}

/**
 * A page of the staff queue in the chosen order; each row carries its cursor's keys. With `raise`,
 * cases about a deal in its last stage come first, then the rest, each in the chosen order (the
 * cursor's first key is then whether its row was raised).
 */
export function queueQuery(db: Db, f: QueueFilter, sort: QueueSort, after: QueueCursor | undefined, limit: number, raise: boolean): RawBuilder<QueueRow> {
  return sql`select ${queueColumns} from cases
    left join ${partnerProfiles(db)} as partners on partners.id = cases.partner_id
    left join users as assignee on assignee.id = cases.assignee_id
    where ${filterCondition(f)}${after ? sql` and ${afterCursor(sort, after, raise)}` : sql``}
    order by ${raise ? sql`cases.deal_raised desc, ` : sql``}${queueOrders[sort]} limit ${sql.lit(limit)}`
}

/**
 * A page of the queue as one JSON value for a page loader, read only while the staff admins' rule
 * raises cases about a deal in its last stage (`raise`) or only while it does not: the page asks for
 * both and PostgreSQL runs the one the rule stands for, in the same round trip as the rule.
 */
export function queueWhileRule(db: Db, f: QueueFilter, sort: QueueSort, after: QueueCursor | undefined, limit: number, raise: boolean): RawBuilder<Array<Record<string, unknown>> | null> {
  return sql`select to_json(array(select row_to_json(x) from (${queueQuery(db, f, sort, after, limit, raise)}) x))
    where (select raise_last_stage from case_assignment where id = 1) = ${sql.lit(raise)}`
}

export const raiseRule = (): RawBuilder<boolean> => sql`select raise_last_stage from case_assignment where id = 1`

/** The filters the kept counts answer: a partner (case_status_counts, a few rows each), or none or priority, type and assignee (case_queue_counts, a few hundred rows in all). */
const byQueue: ReadonlyArray<keyof QueueFilter> = ['priority', 'type', 'assignee']

/**
 * How many cases of each status the queue's filters other than the status leave, as one JSON value
 * for a page loader: a partner's, or by priority, type and assignee, from the counts a trigger keeps;
 * any other filter is counted over its cases.
 */
export function queueCountsQuery(filter: QueueFilter): RawBuilder<Array<{ status: string; n: number }>> {
  const f: QueueFilter = { ...filter, status: undefined, active: undefined }
  const set = (Object.keys(f) as Array<keyof QueueFilter>).filter((k) => f[k])
  let counts: RawBuilder<unknown>
  if (f.partnerId && set.length === 1) {
    counts = sql`select status, sum(cases) as n from case_status_counts where partner_id = ${f.partnerId} group by status`
  } else if (set.every((k) => byQueue.includes(k))) {
    const assignee = f.assignee === 'none' ? sql`assignee_id is null` : f.assignee ? sql`assignee_id = ${f.assignee}` : sql`true`
    counts = sql`select status, sum(cases) as n from case_queue_counts
      where ${f.priority ? sql`priority = ${f.priority}` : sql`true`} and ${f.type ? sql`type = ${f.type}` : sql`true`} and ${assignee} group by status`
  } else {
    counts = sql`select cases.status, count(*) as n from cases where ${filterCondition(f)} group by cases.status`
  }
  return sql`select to_json(array(select row_to_json(x) from (${counts}) x))`
}

/** The counts as the page shows them: statuses with cases, by status. */
export const countsOf = (rows: Array<{ status: string; n: number | string }>): Record<string, number> =>
  Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [r.status, Number(r.n)]))

/** A deal's latest cases within a partner's reach (null: every case, for staff), each row carrying how many there are (`total`). */
export function listForOpportunity(db: Db, opportunityId: string, reach: Reach | null, limit: number) {
  return db.selectFrom('cases')
    .select(['id', 'number', 'subject', 'status', 'priority', 'updated_at', sql<string>`count(*) over ()`.as('total')])
    .where('opportunity_id', '=', opportunityId)
    .$if(reach !== null, (q) => q.where('partner_id', '=', reach!.partnerId))
    .$if(reach?.ownerId != null, (q) => q.where('created_by', '=', reach!.ownerId!))
    .orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

/** Demo data only: puts a case's dates in the past. */
export async function backdate(db: DbOrTrx, id: string, dates: { createdAt: Date; resolvedAt?: Date }): Promise<void> {
  const shift = (column: 'first_response_due_at' | 'resolution_due_at') => sql<Date>`${sql.ref(column)} - (created_at - ${dates.createdAt}::timestamptz)`
  await db.updateTable('cases').set({
    created_at: dates.createdAt, updated_at: dates.resolvedAt ?? dates.createdAt, first_response_due_at: shift('first_response_due_at'),
    resolution_due_at: shift('resolution_due_at'), ...(dates.resolvedAt ? { resolved_at: dates.resolvedAt } : {})
  })
    .where('id', '=', id).execute()
  await db.updateTable('case_events').set({ created_at: dates.createdAt }).where('case_id', '=', id).where('kind', '=', 'opened').execute()
}

/** Sets what the cases about a deal keep of it (its stage, whether they are raised); their activity time stays. */
export async function followDeal(trx: DbOrTrx, opportunityId: string, changes: { deal_stage?: string; deal_raised: boolean }): Promise<void> {
  await trx.updateTable('cases').set(changes).where('opportunity_id', '=', opportunityId).execute()
}

/** A case by its number, for staff (merging a duplicate into it). */
export function findByNumber(db: DbOrTrx, number: number) {
  return db.selectFrom('cases').selectAll().where('number', '=', number).forUpdate().executeTakeFirst()
}

/** Moves a duplicate's timeline and files to the case it is merged into: the history is kept there. */
export async function moveTimeline(trx: DbOrTrx, fromId: string, toId: string): Promise<void> {
  await trx.updateTable('case_events').set({ case_id: toId }).where('case_id', '=', fromId).where('kind', '<>', 'opened').execute()
  await trx.updateTable('case_attachments').set({ case_id: toId }).where('case_id', '=', fromId).execute()
}
