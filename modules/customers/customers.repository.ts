import { sql, type RawBuilder, type SelectQueryBuilder, type Updateable } from 'kysely'
import type { Database, Db, DbOrTrx } from '../../core/data/database.ts'
import type { Reach } from '../../core/identity/reach.ts'
import { partnerProfiles } from '../partners/index.ts'
import type {
  AccountFields, AccountInsert, AccountRow, CheckedLine, ContactFields, ContactInsert, ContactRow, CustomerImportsTable, ImportError, ImportFields
} from './customers.table.ts'

const like = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

function within<T extends 'customer_accounts' | 'customer_contacts', O>(query: SelectQueryBuilder<Database, T, O>, table: T, reach: Reach) {
  let scoped = query.where(sql.ref(`${table}.partner_id`), '=', reach.partnerId)
  if (reach.ownerId) scoped = scoped.where(sql.ref(`${table}.owner_id`), '=', reach.ownerId)
  return scoped
}

// Accounts

export type AccountSort = 'name' | 'newest'

export interface AccountFilter {
  search?: string
  country?: string
  ownerId?: string
  sort: AccountSort
  after?: { key: string; id: string }
}

/**
 * `created_key` is created_at as Postgres prints it: a JavaScript Date keeps milliseconds only, and
 * a cursor cut to milliseconds would skip or repeat accounts created within the same millisecond.
 */
function accountsQuery(db: DbOrTrx, reach: Reach, f: AccountFilter) {
  let query = within(db.selectFrom('customer_accounts'), 'customer_accounts', reach)
    .leftJoin('users as owner', 'owner.id', 'customer_accounts.owner_id')
    .selectAll('customer_accounts')
    .select(['owner.name as owner_name', sql<string>`customer_accounts.created_at::text`.as('created_key')])
  if (f.search) {
    const pattern = like(f.search)
    query = query.where((eb) => eb.or([
      eb('customer_accounts.name', 'ilike', pattern), eb('customer_accounts.domain', 'ilike', pattern), eb('customer_accounts.city', 'ilike', pattern)
    ]))
  }
  if (f.country) query = query.where('customer_accounts.country', '=', f.country)
  if (f.ownerId) query = query.where('customer_accounts.owner_id', '=', f.ownerId)
  const newest = f.sort === 'newest'
  if (f.after) {
    const { key, id } = f.after
    query = newest
      ? query.where((eb) => eb.or([
        eb('customer_accounts.created_at', '<', sql<Date>`${key}::timestamptz`),
        eb.and([eb('customer_accounts.created_at', '=', sql<Date>`${key}::timestamptz`), eb('customer_accounts.id', '<', id)])
      ]))
      : query.where((eb) => eb.or([
        eb('customer_accounts.name', '>', key),
        eb.and([eb('customer_accounts.name', '=', key), eb('customer_accounts.id', '>', id)])
      ]))
  }
  return newest
    ? query.orderBy('customer_accounts.created_at', 'desc').orderBy('customer_accounts.id', 'desc')
    : query.orderBy('customer_accounts.name').orderBy('customer_accounts.id')
}

/** An account's version: when it last changed, to the microsecond (a Date keeps milliseconds only). */
const version = sql<string>`customer_accounts.updated_at::text`.as('version')

export function listAccounts(db: Db, reach: Reach, filter: AccountFilter, limit: number) {
  return accountsQuery(db, reach, filter).limit(limit).execute()
}

/** The account within the reach, with its owner's name and its version. */
function accountQuery(db: DbOrTrx, reach: Reach, id: string) {
  return within(db.selectFrom('customer_accounts'), 'customer_accounts', reach)
    .leftJoin('users as owner', 'owner.id', 'customer_accounts.owner_id')
    .selectAll('customer_accounts').select(['owner.name as owner_name', version])
    .where('customer_accounts.id', '=', id)
}

export function findAccount(db: DbOrTrx, reach: Reach, id: string) {
  return accountQuery(db, reach, id).executeTakeFirst()
}

type ContactLine = Pick<ContactRow, 'id' | 'first_name' | 'last_name' | 'job_title' | 'email' | 'phone'>
type PickableContact = Pick<ContactRow, 'id' | 'first_name' | 'last_name' | 'email'> & { account_name: string | null }

/**
 * An account's page in one statement: the account within the reach, its contacts and, when `pick` is
 * given, the first contacts elsewhere (or without an account) matching its search, for the picker
 * that adds one to this account.
 */
export function findAccountPage(db: Db, reach: Reach, id: string, pick: { search?: string; limit: number } | null) {
  const contacts = within(db.selectFrom('customer_contacts'), 'customer_contacts', reach)
    .select(['id', 'first_name', 'last_name', 'job_title', 'email', 'phone']).where('account_id', '=', id)
    .orderBy('last_name').orderBy('first_name').orderBy('id').limit(500)
  const pickable = pick && contactsQuery(db, reach, { search: pick.search, notAt: id }).limit(pick.limit)
  return accountQuery(db, reach, id)
    .select(sql<ContactLine[]>`array(select row_to_json(c) from (${contacts}) c)`.as('contacts'))
    .select(pickable
      ? sql<PickableContact[]>`array(select row_to_json(p) from (select id, first_name, last_name, email, account_name from (${pickable}) q) p)`.as('pickable')
      : sql<PickableContact[]>`'{}'::json[]`.as('pickable'))
    .executeTakeFirst()
}

export function lockAccount(trx: DbOrTrx, reach: Reach, id: string) {
  return within(trx.selectFrom('customer_accounts'), 'customer_accounts', reach)
    .selectAll().select(version).where('id', '=', id).forUpdate().executeTakeFirst()
}

/** Accounts by name, domain or city, leaving out `exceptId` (the account a contact already belongs to). */
/** The accounts a search for q finds by name, domain or city, in name order. */
function accountSearch(db: DbOrTrx, reach: Reach, q: string) {
  let query = within(db.selectFrom('customer_accounts'), 'customer_accounts', reach)
    .select(['customer_accounts.id', 'customer_accounts.name', 'customer_accounts.domain', 'customer_accounts.city', 'customer_accounts.country'])
  if (q) {
    query = query.where((eb) => eb.or([
      eb('customer_accounts.name', 'ilike', like(q)), eb('customer_accounts.domain', 'ilike', like(q)), eb('customer_accounts.city', 'ilike', like(q))
    ]))
  }
  return query.orderBy('customer_accounts.name').orderBy('customer_accounts.id')
}

export type AccountFound = Awaited<ReturnType<typeof searchAccounts>>[number]

export function searchAccounts(db: DbOrTrx, reach: Reach, q: string, limit: number, exceptId?: string | null) {
  const query = accountSearch(db, reach, q)
  return (exceptId ? query.where('customer_accounts.id', '!=', exceptId) : query).limit(limit).execute()
}

/** `searchAccounts` with the chosen account in the same statement (null when it is out of reach): a picker's one round trip. */
export function searchAccountsWithChosen(db: Db, reach: Reach, q: string, limit: number, exceptId: string | null | undefined, chosenId: string) {
  const found = accountSearch(db, reach, q).$if(Boolean(exceptId), (query) => query.where('customer_accounts.id', '!=', exceptId!)).limit(limit)
  const chosen = within(db.selectFrom('customer_accounts'), 'customer_accounts', reach)
    .select(['id', 'name', 'domain', 'city']).where('id', '=', chosenId)
  return db.selectNoFrom([
    sql<AccountFound[]>`array(select row_to_json(f) from (${found}) f)`.as('found'),
    sql<Pick<AccountFound, 'id' | 'name' | 'domain' | 'city'> | null>`(select row_to_json(c) from (${chosen}) c)`.as('chosen')
  ]).executeTakeFirstOrThrow()
}

/** The partner's account for a company: the same domain, or the same name key when there is no domain. */
export function findAccountFor(db: DbOrTrx, reach: Reach, customer: { domain: string | null; nameKey: string }) {
  let query = within(db.selectFrom('customer_accounts'), 'customer_accounts', reach).select(['id', 'name'])
  query = customer.domain ? query.where('domain', '=', customer.domain) : query.where('name_key', '=', customer.nameKey)
  return query.orderBy('created_at').limit(1).executeTakeFirst()
}

export async function insertAccount(db: DbOrTrx, account: AccountInsert): Promise<AccountRow> {
  return db.insertInto('customer_accounts').values(account).returningAll().executeTakeFirstOrThrow()
}

export async function updateAccount(db: DbOrTrx, reach: Reach, id: string, changes: Partial<AccountFields> & { name_key?: string; owner_id?: string | null; primary_contact_id?: string | null }): Promise<AccountRow> {
  let query = db.updateTable('customer_accounts').set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id).where('partner_id', '=', reach.partnerId)
  if (reach.ownerId) query = query.where('owner_id', '=', reach.ownerId)
  return query.returningAll().executeTakeFirstOrThrow()
}

export async function deleteAccount(db: DbOrTrx, reach: Reach, id: string): Promise<void> {
  let query = db.deleteFrom('customer_accounts').where('id', '=', id).where('partner_id', '=', reach.partnerId)
  if (reach.ownerId) query = query.where('owner_id', '=', reach.ownerId)
  await query.execute()
}

// Contacts

export interface ContactFilter {
  search?: string
  /** Only the contacts of this account. */
  accountId?: string
  /** Leaves out the contacts of this account. */
  notAt?: string
  after?: { key: string; id: string }
}

/** The cursor key joins last and first name with a separator no name can hold (names refuse < and >). */
const contactKey = sql<string>`customer_contacts.last_name || '<' || customer_contacts.first_name`

function contactsQuery(db: DbOrTrx, reach: Reach, f: ContactFilter) {
  let query = within(db.selectFrom('customer_contacts'), 'customer_contacts', reach)
    .leftJoin('customer_accounts', 'customer_accounts.id', 'customer_contacts.account_id')
    .selectAll('customer_contacts').select(['customer_accounts.name as account_name', contactKey.as('sort_key')])
  if (f.search) {
    const pattern = like(f.search)
    query = query.where((eb) => eb.or([
      eb('customer_contacts.first_name', 'ilike', pattern), eb('customer_contacts.last_name', 'ilike', pattern),
      eb('customer_contacts.email', 'ilike', pattern), eb(sql`customer_contacts.first_name || ' ' || customer_contacts.last_name`, 'ilike', pattern)
    ]))
  }
  if (f.accountId) query = query.where('customer_contacts.account_id', '=', f.accountId)
  if (f.notAt) {
    const accountId = f.notAt
    query = query.where((eb) => eb.or([eb('customer_contacts.account_id', 'is', null), eb('customer_contacts.account_id', '!=', accountId)]))
  }
  if (f.after) {
    const [last = '', first = ''] = f.after.key.split('<')
    const id = f.after.id
    query = query.where((eb) => eb.or([
      eb('customer_contacts.last_name', '>', last),
      eb.and([eb('customer_contacts.last_name', '=', last), eb('customer_contacts.first_name', '>', first)]),
      eb.and([eb('customer_contacts.last_name', '=', last), eb('customer_contacts.first_name', '=', first), eb('customer_contacts.id', '>', id)])
    ]))
  }
  return query.orderBy('customer_contacts.last_name').orderBy('customer_contacts.first_name').orderBy('customer_contacts.id')
}

export function listContacts(db: Db, reach: Reach, filter: ContactFilter, limit: number) {
  return contactsQuery(db, reach, filter).limit(limit).execute()
}

/** A contact's version: when it last changed, to the microsecond. */
const contactVersion = sql<string>`customer_contacts.updated_at::text`.as('version')

function contactQuery(db: DbOrTrx, reach: Reach, id: string) {
  return within(db.selectFrom('customer_contacts'), 'customer_contacts', reach)
    .leftJoin('customer_accounts', 'customer_accounts.id', 'customer_contacts.account_id')
    .leftJoin('users as owner', 'owner.id', 'customer_contacts.owner_id')
    .selectAll('customer_contacts').select(['customer_accounts.name as account_name', 'owner.name as owner_name', contactVersion])
    .where('customer_contacts.id', '=', id)
}

export function findContact(db: DbOrTrx, reach: Reach, id: string) {
  return contactQuery(db, reach, id).executeTakeFirst()
}

/**
 * A contact with the first accounts a search for q finds that it could move to (all but its own),
 * read in the same query: the contact's page costs one round trip.
 */
export function findContactWithMoves(db: DbOrTrx, reach: Reach, id: string, q: string, limit: number) {
  const moves = accountSearch(db, reach, q)
    .where(sql<boolean>`customer_accounts.id is distinct from customer_contacts.account_id`)
    .limit(sql.lit(limit))
  return contactQuery(db, reach, id)
    .select(sql<AccountFound[]>`array(select row_to_json(m) from (${moves}) m)`.as('moves'))
    .executeTakeFirst()
}

export function lockContact(db: DbOrTrx, reach: Reach, id: string) {
  return within(db.selectFrom('customer_contacts'), 'customer_contacts', reach)
    .selectAll().select(contactVersion).where('id', '=', id).forUpdate().executeTakeFirst()
}

export function contactsOfAccount(db: DbOrTrx, reach: Reach, accountId: string) {
  return within(db.selectFrom('customer_contacts'), 'customer_contacts', reach)
    .selectAll().where('account_id', '=', accountId)
    .orderBy('last_name').orderBy('first_name').orderBy('id').limit(500).execute()
}

export async function insertContact(db: DbOrTrx, contact: ContactInsert): Promise<ContactRow> {
  return db.insertInto('customer_contacts').values(contact).returningAll().executeTakeFirstOrThrow()
}

export async function updateContact(db: DbOrTrx, reach: Reach, id: string, changes: Partial<ContactFields> & { account_id?: string | null }): Promise<ContactRow> {
  let query = db.updateTable('customer_contacts').set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id).where('partner_id', '=', reach.partnerId)
  if (reach.ownerId) query = query.where('owner_id', '=', reach.ownerId)
  return query.returningAll().executeTakeFirstOrThrow()
}

export async function deleteContact(db: DbOrTrx, reach: Reach, id: string): Promise<void> {
  let query = db.deleteFrom('customer_contacts').where('id', '=', id).where('partner_id', '=', reach.partnerId)
  if (reach.ownerId) query = query.where('owner_id', '=', reach.ownerId)
  await query.execute()
}

/** A contact leaving an account stops being its primary contact. */
export async function clearPrimaryContact(db: DbOrTrx, partnerId: string, contactId: string): Promise<void> {
  await db.updateTable('customer_accounts').set({ primary_contact_id: null, updated_at: sql`now()` })
    .where('partner_id', '=', partnerId).where('primary_contact_id', '=', contactId).execute()
}

// Imports

export async function insertImport(db: DbOrTrx, record: { partner_id: string; created_by: string; created_by_name: string; file_name: string; records: string[][] }) {
  const row = await db.insertInto('customer_imports')
    .values({ ...record, total_rows: record.records.length, records: JSON.stringify(record.records) })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

const importSummary = ['id', 'partner_id', 'created_by', 'created_by_name', 'file_name', 'status', 'only_valid', 'total_rows',
  'checked_rows', 'valid_rows', 'imported_rows', 'accounts_created', 'contacts_created', 'failure',
  'created_at', 'started_at', 'finished_at'] as const

/** An import as its pages show it: its progress, never the file. */
export function findImport(db: DbOrTrx, partnerId: string, id: string) {
  return db.selectFrom('customer_imports').select(importSummary)
    .where('id', '=', id).where('partner_id', '=', partnerId).executeTakeFirst()
}

export function lockImport(trx: DbOrTrx, id: string) {
  return trx.selectFrom('customer_imports').select(importSummary).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updateImport(db: DbOrTrx, id: string, changes: Updateable<CustomerImportsTable>): Promise<void> {
  await db.updateTable('customer_imports').set(changes).where('id', '=', id).execute()
}

/** Moves a checked import on to importing; false when it is not (or no longer) waiting in its preview. */
export async function startImport(db: DbOrTrx, partnerId: string, id: string, onlyValid: boolean): Promise<boolean> {
  const started = await db.updateTable('customer_imports')
    .set({ status: 'importing', only_valid: onlyValid, started_at: sql`now()` })
    .where('id', '=', id).where('partner_id', '=', partnerId).where('status', '=', 'preview')
    .returning('id').executeTakeFirst()
  return started !== undefined
}

/** `count` of the file's rows from index `from`, as the upload stored them. */
export async function importRecords(db: DbOrTrx, id: string, from: number, count: number): Promise<string[][]> {
  const row = await db.selectFrom('customer_imports')
    .select(sql<string[][]>`jsonb_path_query_array(records, ${`$[${from} to ${from + count - 1}]`}::jsonpath)`.as('records'))
    .where('id', '=', id).executeTakeFirstOrThrow()
  return row.records
}

export async function insertLines(db: DbOrTrx, importId: string, lines: CheckedLine[]): Promise<void> {
  await db.insertInto('customer_import_lines').values(lines.map((l) => ({
    import_id: importId, line: l.line, fields: l.fields && JSON.stringify(l.fields), errors: l.errors && JSON.stringify(l.errors)
  }))).execute()
}

/** The first valid rows not yet imported, in file order. */
export function validLines(db: DbOrTrx, importId: string, limit: number) {
  return db.selectFrom('customer_import_lines').select(['line', 'fields'])
    .where('import_id', '=', importId).where('fields', 'is not', null)
    .orderBy('line').limit(limit).$narrowType<{ fields: ImportFields }>().execute()
}

export function lineErrors(db: DbOrTrx, importId: string, limit: number) {
  return db.selectFrom('customer_import_lines').select(['line', 'errors'])
    .where('import_id', '=', importId).where('errors', 'is not', null)
    .orderBy('line').limit(limit).$narrowType<{ errors: ImportError[] }>().execute()
}

/** The valid rows up to `through`, once imported; without it, every row the import still holds. */
export async function deleteLines(db: DbOrTrx, importId: string, through?: number): Promise<void> {
  let query = db.deleteFrom('customer_import_lines').where('import_id', '=', importId)
  if (through !== undefined) query = query.where('fields', 'is not', null).where('line', '<=', through)
  await query.execute()
}

/** The partner's accounts an import may attach rows to, by domain and by name key. */
export function accountsMatching(db: DbOrTrx, reach: Reach, domains: string[], nameKeys: string[]) {
  let query = within(db.selectFrom('customer_accounts'), 'customer_accounts', reach).select(['id', 'domain', 'name_key'])
  query = query.where((eb) => eb.or([
    ...(domains.length ? [eb('domain', 'in', domains)] : []),
    ...(nameKeys.length ? [eb.and([eb('domain', 'is', null), eb('name_key', 'in', nameKeys)])] : []),
    eb.val(false)
  ]))
  return query.orderBy('created_at').execute()
}

export function insertAccounts(db: DbOrTrx, accounts: AccountInsert[]) {
  return db.insertInto('customer_accounts').values(accounts).returning(['id']).execute()
}

export async function insertContacts(db: DbOrTrx, contacts: ContactInsert[]): Promise<void> {
  await db.insertInto('customer_contacts').values(contacts).execute()
}

export function importedAccounts(db: DbOrTrx, importId: string): Promise<Array<{ id: string; partner_id: string; name: string }>> {
  return db.selectFrom('customer_accounts').select(['id', 'partner_id', 'name']).where('import_id', '=', importId).execute()
}

/** Takes back the accounts and contacts an import added, except the accounts in `keep` and their contacts. */
export async function removeImported(db: DbOrTrx, importId: string, keep: string[]): Promise<{ accounts: number; contacts: number }> {
  let contacts = db.deleteFrom('customer_contacts').where('import_id', '=', importId)
  let accounts = db.deleteFrom('customer_accounts').where('import_id', '=', importId)
  if (keep.length) {
    contacts = contacts.where((eb) => eb.or([eb('account_id', 'is', null), eb('account_id', 'not in', keep)]))
    accounts = accounts.where('id', 'not in', keep)
  }
  const removedContacts = await contacts.executeTakeFirst()
  const removedAccounts = await accounts.executeTakeFirst()
  return { accounts: Number(removedAccounts.numDeletedRows), contacts: Number(removedContacts.numDeletedRows) }
}


/**
 * A chunk runs inside this savepoint in the job's transaction, so that one failing for good can be
 * undone while the import is still marked failed in the same transaction.
 */
export async function beginChunk(trx: DbOrTrx): Promise<void> {
  await sql`savepoint import_chunk`.execute(trx)
}

export async function undoChunk(trx: DbOrTrx): Promise<void> {
  await sql`rollback to savepoint import_chunk`.execute(trx)
}

// Staff: every partner's customers

export interface StaffAccountFilter {
  search?: string
  partnerId?: string
  after?: { key: string; id: string }
}

/** Every partner's accounts by name, each with its partner's name; the cursor a row comparison the (name, id) indexes start reading at. */
export function listAllAccounts(db: Db, f: StaffAccountFilter, limit: number) {
  let query = db.selectFrom('customer_accounts').innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'customer_accounts.partner_id')
    .selectAll('customer_accounts').select('partners.name as partner_name')
  if (f.search) {
    const pattern = like(f.search)
    query = query.where((eb) => eb.or([
      eb('customer_accounts.name', 'ilike', pattern), eb('customer_accounts.domain', 'ilike', pattern), eb('customer_accounts.city', 'ilike', pattern)
    ]))
  }
  if (f.partnerId) query = query.where('customer_accounts.partner_id', '=', f.partnerId)
  if (f.after) query = query.where(sql<boolean>`(customer_accounts.name, customer_accounts.id) > (${f.after.key}, ${f.after.id}::uuid)`)
  return query.orderBy('customer_accounts.name').orderBy('customer_accounts.id').limit(limit).execute()
}

export function findAccountForStaff(db: DbOrTrx, id: string) {
  return db.selectFrom('customer_accounts')
    .leftJoin('users as owner', 'owner.id', 'customer_accounts.owner_id')
    .selectAll('customer_accounts').select('owner.name as owner_name')
    .where('customer_accounts.id', '=', id).executeTakeFirst()
}

/** An account as staff read it, with its partner's name. */
function findAccountQuery(db: Db, id: string) {
  return db.selectFrom('customer_accounts')
    .innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'customer_accounts.partner_id')
    .leftJoin('users as owner', 'owner.id', 'customer_accounts.owner_id')
    .selectAll('customer_accounts').select(['owner.name as owner_name', 'partners.name as partner_name'])
    .where('customer_accounts.id', '=', id)
}

export function findAccountWithPartner(db: Db, id: string) {
  return findAccountQuery(db, id).executeTakeFirst()
}

/**
 * An account's staff page as one value for a page loader: the account with its partner's and
 * owner's names, its contacts and other partners' accounts with its domain (times as ISO text);
 * null if there is no such account.
 */
export function staffAccountPage(db: Db, id: string): RawBuilder<StaffAccountPage | null> {
  const account = findAccountQuery(db, id)
  return sql`select json_build_object('account', row_to_json(a),
      'contacts', array(select row_to_json(c) from (select * from customer_contacts c where c.account_id = a.id
        order by c.last_name, c.first_name, c.id limit 500) c),
      'duplicates', array(select row_to_json(d) from (select d.id, d.partner_id, d.name from customer_accounts d
        where d.domain = lower(a.domain) and d.partner_id <> a.partner_id order by d.created_at limit 50) d))
    from (${account}) a`
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

export interface StaffAccountPage {
  account: Json<NonNullable<Awaited<ReturnType<typeof findAccountWithPartner>>>>
  contacts: Array<Json<ContactRow>>
  duplicates: Array<{ id: string; partner_id: string; name: string }>
}

export function lockAccountForStaff(trx: DbOrTrx, id: string) {
  return trx.selectFrom('customer_accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}


/**
 * Pairs of accounts at different partners with the same domain or the same name key. Only accounts
 * under a key more than one partner holds are read: those keys are kept by a trigger
 * (customer_duplicate_keys), so the list costs what it shows, not a probe of every account.
 */
export function possibleDuplicates(db: Db, limit: number) {
  const shared = (kind: 'domain' | 'name') => sql<string>`(select key from customer_duplicate_keys where kind = ${sql.lit(kind)} and partners > 1)`
  const candidates = db.selectFrom('customer_accounts').selectAll().where('domain', 'in', shared('domain'))
    .union(db.selectFrom('customer_accounts').selectAll().where('name_key', 'in', shared('name')))
  return db.with('c', () => candidates).selectFrom('c as a')
    .innerJoin('c as b', (join) => join
      .onRef('a.partner_id', '<>', 'b.partner_id').onRef('a.id', '<', 'b.id')
      .on((eb) => eb.or([eb('a.domain', '=', eb.ref('b.domain')), eb('a.name_key', '=', eb.ref('b.name_key'))])))
    .select([
      'a.id as a_id', 'a.name as a_name', 'a.domain as a_domain', 'a.partner_id as a_partner_id',
      'b.id as b_id', 'b.name as b_name', 'b.domain as b_domain', 'b.partner_id as b_partner_id',
      sql<boolean>`a.domain is not null and a.domain = b.domain`.as('same_domain')
    ])
    .orderBy('a.name').orderBy('a.id').orderBy('b.id').limit(limit).execute()
}

/** Moves the account and its contacts; owners belonged to the old partner, so they are cleared. */
export async function moveAccountToPartner(trx: DbOrTrx, id: string, partnerId: string): Promise<void> {
  await trx.updateTable('customer_accounts').set({ partner_id: partnerId, owner_id: null, updated_at: sql`now()` }).where('id', '=', id).execute()
  await trx.updateTable('customer_contacts').set({ partner_id: partnerId, owner_id: null, updated_at: sql`now()` }).where('account_id', '=', id).execute()
}
