import { sql, type RawBuilder } from 'kysely'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Insertable } from 'kysely'
import type { ApplicationSort, ApplicationStatus, PartnerRow, PartnersTable, PartnerStatus, PartnerUpdate } from './partners.table.ts'

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

// Program and levels

export function getProgram(db: DbOrTrx) {
  return db.selectFrom('program_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
}

export async function updateProgram(db: DbOrTrx, changes: { headline: string; intro: string; expertise_options: string[] }): Promise<void> {
  await db.updateTable('program_settings').set({ ...changes, updated_at: sql`now()` }).where('id', '=', 1).execute()
}

export function listLevels(db: DbOrTrx) {
  return db.selectFrom('partner_levels')
    .select(['id', 'name', 'rank', 'benefits', (eb) => eb.selectFrom('partners').select((e) => e.fn.countAll<number>().as('n'))
      .whereRef('partners.level_id', '=', 'partner_levels.id').as('partner_count')])
    .orderBy('rank').execute()
}

/** The levels by rank, their ids and names only: a form's choices, as one value for the page loader. */
export function levelChoicesValue(): RawBuilder<Array<{ id: string; name: string }>> {
  return sql`select to_json(array(select row_to_json(x) from (select id, name from partner_levels order by rank) x))`
}

export function findLevel(db: DbOrTrx, id: string) {
  return db.selectFrom('partner_levels').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findLevelByNameOrRank(db: DbOrTrx, name: string, rank: number, exceptId?: string) {
  let query = db.selectFrom('partner_levels').selectAll()
    .where((eb) => eb.or([eb(sql`lower(name)`, '=', name.toLowerCase()), eb('rank', '=', rank)]))
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.executeTakeFirst()
}

export async function insertLevel(db: DbOrTrx, level: { name: string; rank: number; benefits: string }) {
  return db.insertInto('partner_levels').values(level).returningAll().executeTakeFirstOrThrow()
}

export async function updateLevel(db: DbOrTrx, id: string, level: { name: string; rank: number; benefits: string }) {
  return db.updateTable('partner_levels').set(level).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteLevel(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('partner_levels').where('id', '=', id).execute()
}

// Partners

export async function insertPartner(db: DbOrTrx, partner: Insertable<PartnersTable>): Promise<PartnerRow> {
  return db.insertInto('partners').values(partner).returningAll().executeTakeFirstOrThrow()
}

export function findPartner(db: DbOrTrx, id: string) {
  return db.selectFrom('partners')
    .leftJoin('partner_levels', 'partner_levels.id', 'partners.level_id')
    .selectAll('partners').select(['partner_levels.name as level_name', 'partner_levels.rank as level_rank'])
    .where('partners.id', '=', id).executeTakeFirst()
}

export interface PartnerSummary {
  name: string
  status: PartnerStatus
  level_name: string | null
  territories: string[]
  expertise: string[]
}

/** What the partner home shows of the company, as one JSON value for a page loader. */
export function partnerSummaryQuery(id: string): RawBuilder<PartnerSummary> {
  return sql<PartnerSummary>`select json_build_object('name', p.name, 'status', p.status, 'level_name', l.name,
      'territories', p.territories, 'expertise', p.expertise)
    from partners p left join partner_levels l on l.id = p.level_id where p.id = ${id}`
}

export function findPartnerForUpdate(db: DbOrTrx, id: string) {
  return db.selectFrom('partners').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updatePartner(db: DbOrTrx, id: string, changes: PartnerUpdate): Promise<PartnerRow> {
  return db.updateTable('partners').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** Other partners and applications for the same company domain. */
export function partnersWithDomain(db: DbOrTrx, domain: string, exceptId?: string) {
  let query = db.selectFrom('partners').select(['id', 'name', 'status', 'domain', 'created_at']).where('domain', '=', domain)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.orderBy('created_at').limit(20).execute()
}

/** Partners' names for other modules' labels and pickers: those with the given ids, or every one of a status. */
export function partnerNames(db: DbOrTrx, f: { ids?: string[]; status?: PartnerStatus }) {
  let query = db.selectFrom('partners').select(['id', 'name', 'status'])
  if (f.ids) query = query.where('id', 'in', f.ids.length ? f.ids : ['00000000-0000-0000-0000-000000000000'])
  if (f.status) query = query.where('status', '=', f.status)
  return query.orderBy('name').orderBy('id').execute()
}

/** Partners whose name or domain holds `text`, by name: a staff picker's matches. */
export function searchPartnerNames(db: DbOrTrx, text: string, limit: number, f: { status?: PartnerStatus; exceptIds?: string[]; ids?: string[] }) {
  return partnerNamesMatching(db, text, limit, f).execute()
}

/** The same as one value for the page loader; `idsIn` and `exceptIn` are queries of ids, such as the audience a record keeps. */
export function partnerNamesValue(db: DbOrTrx, text: string, limit: number, f: { status?: PartnerStatus; exceptIds?: string[]; ids?: string[]; idsIn?: RawBuilder<string[]>; exceptIn?: RawBuilder<string[]> }): RawBuilder<PartnerName[]> {
  let query = partnerNamesMatching(db, text, limit, f)
  if (f.idsIn) query = query.where(sql<boolean>`id = any(${f.idsIn}::uuid[])`)
  if (f.exceptIn) query = query.where(sql<boolean>`not (id = any(coalesce(${f.exceptIn}::uuid[], '{}')))`)
  return sql`select to_json(array(select row_to_json(x) from (${query}) x))`
}

export interface PartnerName { id: string; name: string; domain: string | null; city: string | null; country: string }

function partnerNamesMatching(db: DbOrTrx, text: string, limit: number, f: { status?: PartnerStatus; exceptIds?: string[]; ids?: string[] }) {
  let query = db.selectFrom('partners').select(['id', 'name', 'domain', 'city', 'country'])
  if (f.ids) query = query.where('id', 'in', f.ids.length ? f.ids : ['00000000-0000-0000-0000-000000000000'])
  if (text) query = query.where((eb) => eb.or([eb('name', 'ilike', like(text)), eb('domain', 'ilike', like(text))]))
  if (f.status) query = query.where('status', '=', f.status)
  if (f.exceptIds?.length) query = query.where('id', 'not in', f.exceptIds)
  return query.orderBy('name').orderBy('id').limit(limit)
}

/** The names of the partners among `ids` (a query of ids), as one value for the page loader. */
export function partnerNamesIn(ids: RawBuilder<string[]>): RawBuilder<Array<{ id: string; name: string }>> {
  return sql`select to_json(array(select row_to_json(x) from (select id, name from partners where id = any(${ids}::uuid[])) x))`
}

export interface PartnerFilter {
  search?: string
  status?: PartnerStatus
  levelId?: string
  country?: string
  territory?: string
  expertise?: string
  listedOnly?: boolean
  after?: { name: string; id: string }
  limit: number
}

export function listPartners(db: Db, f: PartnerFilter) {
  let query = db.selectFrom('partners')
    .leftJoin('partner_levels', 'partner_levels.id', 'partners.level_id')
    .selectAll('partners').select(['partner_levels.name as level_name', 'partner_levels.rank as level_rank'])
  if (f.search) query = query.where((eb) => eb.or([eb('partners.name', 'ilike', like(f.search!)), eb('partners.domain', 'ilike', like(f.search!))]))
  if (f.status) query = query.where('partners.status', '=', f.status)
  if (f.listedOnly) query = query.where('partners.listed', '=', true)
  if (f.levelId) query = query.where('partners.level_id', '=', f.levelId)
  if (f.country) query = query.where('partners.country', '=', f.country)
  if (f.territory) query = query.where(sql<boolean>`partners.territories @> array[${f.territory}]::text[]`)
  if (f.expertise) query = query.where(sql<boolean>`partners.expertise @> array[${f.expertise}]::text[]`)
  if (f.after) {
    // A row comparison, which the index in the list's order starts reading at.
    query = query.where(sql<boolean>`(partners.name, partners.id) > (${f.after.name}, ${f.after.id}::uuid)`)
  }
  return query.orderBy('partners.name').orderBy('partners.id').limit(f.limit).execute()
}

// Applications

export async function insertApplication(db: DbOrTrx, application: { partner_id: string; applicant_id: string; possible_duplicate: boolean }) {
  return db.insertInto('partner_applications').values(application).returningAll().executeTakeFirstOrThrow()
}

const applicationColumns = [
  'partner_applications.id', 'partner_applications.status', 'partner_applications.submitted_at',
  'partner_applications.decided_at', 'partner_applications.rejection_reason', 'partner_applications.possible_duplicate',
  'partner_applications.partner_id', 'partner_applications.applicant_id',
  'partners.name as company', 'partners.country', 'partners.territories', 'partners.expertise', 'partners.domain',
  'users.name as applicant_name', 'users.email as applicant_email'
] as const

function applicationsQuery(db: DbOrTrx) {
  return db.selectFrom('partner_applications')
    .innerJoin('partners', 'partners.id', 'partner_applications.partner_id')
    .innerJoin('users', 'users.id', 'partner_applications.applicant_id')
}

export function findApplication(db: DbOrTrx, id: string) {
  return applicationsQuery(db).select(applicationColumns)
    .leftJoin('users as decider', 'decider.id', 'partner_applications.decided_by')
    .select('decider.name as decided_by_name')
    .where('partner_applications.id', '=', id).executeTakeFirst()
}

export function findApplicationOfPartner(db: DbOrTrx, partnerId: string) {
  return applicationsQuery(db).select(applicationColumns).where('partner_applications.partner_id', '=', partnerId).executeTakeFirst()
}

export function lockApplication(db: DbOrTrx, id: string) {
  return db.selectFrom('partner_applications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function decideApplication(db: DbOrTrx, id: string, decision: { status: ApplicationStatus; decidedBy: string | null; reason: string | null }): Promise<void> {
  await db.updateTable('partner_applications').set({
    status: decision.status, decided_by: decision.decidedBy, rejection_reason: decision.reason, decided_at: sql`now()`
  }).where('id', '=', id).execute()
}

export interface ApplicationFilter {
  status?: ApplicationStatus
  country?: string
  territory?: string
  expertise?: string
  sort: ApplicationSort
  after?: { key: string; id: string }
  limit: number
}

/**
 * `submitted_key` is submitted_at as Postgres prints it: a JavaScript Date keeps milliseconds only,
 * and a cursor cut to milliseconds would skip or repeat rows submitted within the same millisecond.
 */
export function listApplications(db: Db, f: ApplicationFilter) {
  let query = applicationsQuery(db).select(applicationColumns)
    .select(sql<string>`partner_applications.submitted_at::text`.as('submitted_key'))
  if (f.status) query = query.where('partner_applications.status', '=', f.status)
  if (f.country) query = query.where('partners.country', '=', f.country)
  if (f.territory) query = query.where(sql<boolean>`partners.territories @> array[${f.territory}]::text[]`)
  if (f.expertise) query = query.where(sql<boolean>`partners.expertise @> array[${f.expertise}]::text[]`)
  const column = f.sort === 'company' ? 'partners.name' : 'partner_applications.submitted_at'
  const direction = f.sort === 'newest' ? 'desc' : 'asc'
  if (f.after) {
    // A row comparison, which an index in the list's order starts reading at.
    const key = f.sort === 'company' ? sql`${f.after.key}` : sql`${f.after.key}::timestamptz`
    const op = sql.raw(direction === 'desc' ? '<' : '>')
    query = query.where(sql<boolean>`(${sql.ref(column)}, partner_applications.id) ${op} (${key}, ${f.after.id}::uuid)`)
  }
  return query.orderBy(column, direction).orderBy('partner_applications.id', direction).limit(f.limit).execute()
}

export interface ApplicationSummary {
  counts: Record<ApplicationStatus, number>
  /** How long pending applications have waited: under a week, up to a month, longer. */
  ages: { fresh: number; waiting: number; overdue: number }
}

/** Applications by status and the pending ones by age, as one JSON value for a page loader. */
export function applicationSummaryQuery(): RawBuilder<ApplicationSummary> {
  return sql<ApplicationSummary>`select json_build_object(
    'counts', json_build_object(
      'pending', count(*) filter (where status = 'pending'),
      'approved', count(*) filter (where status = 'approved'),
      'rejected', count(*) filter (where status = 'rejected')),
    'ages', json_build_object(
      'fresh', count(*) filter (where status = 'pending' and submitted_at > now() - interval '7 days'),
      'waiting', count(*) filter (where status = 'pending' and submitted_at <= now() - interval '7 days' and submitted_at > now() - interval '30 days'),
      'overdue', count(*) filter (where status = 'pending' and submitted_at <= now() - interval '30 days')))
    from partner_applications`
}

// Notes

export async function insertNote(db: DbOrTrx, note: { partner_id: string; author_id: string; author_name: string; body: string }) {
  return db.insertInto('partner_notes').values(note).returningAll().executeTakeFirstOrThrow()
}

export function listNotes(db: DbOrTrx, partnerId: string) {
  return db.selectFrom('partner_notes').selectAll().where('partner_id', '=', partnerId).orderBy('created_at', 'desc').limit(100).execute()
}
