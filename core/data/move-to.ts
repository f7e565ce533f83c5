import { existsSync } from 'node:fs'
import path from 'node:path'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Config } from '../config.ts'
import { openDatabase } from './database.ts'
import { migrateToLatest, type MigrationsFolder } from './migrator.ts'
import { publicTables, tableFigures } from './table-figures.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever tables the migrations made
type AnyDb = Kysely<any>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTrx = Transaction<any>

/** Rows sent to the server in one INSERT. */
const batchRows = 1000

/** The migrator's own tables: each database records its own runs of the migrations. */
const isMigratorTable = (table: string) => table.startsWith('kysely_migration')

const tableRef = (table: string) => sql.table(`public.${table}`)

/** The address without its password, to print. */
function shown(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '…'
  return parsed.toString()
}

/** The columns an INSERT may set (not generated ones), and whether the table has an identity column. */
async function insertableColumns(trx: AnyTrx, table: string): Promise<{ columns: string[]; identity: boolean }> {
  const { rows } = await sql<{ name: string; identity: string }>`
    select attname as name, attidentity as identity from pg_attribute
    where attrelid = ${`public.${table}`}::regclass and attnum > 0 and not attisdropped and attgenerated = ''
    order by attnum`.execute(trx)
  return { columns: rows.map((r) => r.name), identity: rows.some((r) => r.identity !== '') }
}

/**
 * Copies one table: read through a cursor as JSON rows (so every value travels as PostgreSQL's own
 * text, microseconds and big numbers intact), written in batches by json_populate_recordset.
 */
async function copyTable(source: AnyDb, target: AnyTrx, table: string): Promise<number> {
  const { columns, identity } = await insertableColumns(target, table)
  const list = sql.join(columns.map((c) => sql.ref(c)))
  let copied = 0
  await source.transaction().execute(async (src) => {
    await sql`declare moving no scroll cursor for select row_to_json(t)::text as row from ${tableRef(table)} t`.execute(src)
    for (;;) {
      const { rows } = await sql<{ row: string }>`fetch ${sql.raw(String(batchRows))} from moving`.execute(src)
      if (rows.length === 0) break
      const json = `[${rows.map((r) => r.row).join(',')}]`
      await sql`insert into ${tableRef(table)} (${list}) ${sql.raw(identity ? 'overriding system value' : '')}
        select ${list} from json_populate_recordset(null::${tableRef(table)}, ${json}::json)`.execute(target)
      copied += rows.length
    }
  })
  return copied
}

/**
 * Copies everything in the embedded database (DATA_DIR) into an empty PostgreSQL database: the
 * migrations first (the server's schema is made by the same code), then every table's rows in one
 * transaction, then the sequences; then it compares row counts and checksums of every table.
 *
 * The foreign keys are dropped for the copy and added back, validated, before it commits (as
 * pg_dump does: customer accounts and their contacts refer to each other, so no table order
 * satisfies them), and the tables' triggers are off meanwhile, so the figures they keep are copied,
 * not counted twice.
 */
export async function moveTo(config: Pick<Config, 'DATA_DIR'>, migrations: MigrationsFolder[], url: string, say: (line: string) => void): Promise<void> {
  if (!/^postgres(ql)?:\/\/./.test(url)) throw new Error(`"${url}" is not a PostgreSQL connection string: postgres://user:password@host:5432/database`)
  if (config.DATA_DIR.startsWith('memory://') || !existsSync(path.join(config.DATA_DIR, 'pgdata'))) {
    throw new Error(`There is no embedded database in ${config.DATA_DIR}: nothing to move (is DATA_DIR right?).`)
  }
  const source = await openDatabase({ DATA_DIR: config.DATA_DIR })
  try {
    const target = await openDatabase({ DATABASE_URL: url, DATA_DIR: config.DATA_DIR, DATABASE_POOL_SIZE: 2 })
    try {
      const existing = await publicTables(target.db)
      if (existing.length) {
        throw new Error(`The database at ${shown(url)} is not empty (it has ${existing.length} table(s): ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''}). ` +
          'move-to copies into an empty database only: create a new one (createdb) and name it.')
      }
      await migrateToLatest(source.db, migrations)
      await migrateToLatest(target.db, migrations)
      const tables = (await publicTables(source.db)).filter((t) => !isMigratorTable(t))
      say(`Moving ${tables.length} tables from ${config.DATA_DIR} to ${shown(url)} …`)
      try {
        await copyAll(source.db, target.db, tables, say)
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\nNo data was copied, but the database at ${shown(url)} now holds the portal's tables: ` +
          'drop it and create it again (dropdb, createdb) before running move-to again.', { cause: err })
      }
      const [from, to] = [await tableFigures(source.db, tables), await tableFigures(target.db, tables)]
      const differing = tables.filter((t) => from.get(t)!.rows !== to.get(t)!.rows || from.get(t)!.checksum !== to.get(t)!.checksum)
      if (differing.length) throw new Error(`The copy differs from the embedded database in ${differing.join(', ')}: do not switch to it.`)
      const rows = [...from.values()].reduce((sum, f) => sum + f.rows, 0)
      say(`Done: ${rows} rows in ${tables.length} tables; the row count and checksum of every table match.`)
      say(`To run the portal on it, set DATABASE_URL=${shown(url)} (with its password) and start the portal.`)
      say(`${config.DATA_DIR} is left as it was; the portal no longer reads it once DATABASE_URL is set.`)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}

/**
 * The copy, in one transaction on the server: what the migrations put in tables (default rows) is
 * replaced by the embedded database's rows, and the sequences continue where they were.
 */
async function copyAll(source: AnyDb, target: AnyDb, tables: string[], say: (line: string) => void): Promise<void> {
  const onTarget = new Set(await publicTables(target))
  const missing = tables.filter((t) => !onTarget.has(t))
  if (missing.length) {
    throw new Error(`The embedded database has tables the migrations did not make on the server: ${missing.join(', ')}. ` +
      'Enable the add-ons they belong to (PORTAL_ADDONS).')
  }
  await target.transaction().execute(async (trx) => {
    const { rows: keys } = await sql<{ table: string; name: string; definition: string }>`
      select cl.relname as table, c.conname as name, pg_get_constraintdef(c.oid) as definition
      from pg_constraint c join pg_class cl on cl.oid = c.conrelid
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace`.execute(trx)
    for (const key of keys) await sql`alter table ${tableRef(key.table)} drop constraint ${sql.ref(key.name)}`.execute(trx)
    for (const table of tables) {
      await sql`alter table ${tableRef(table)} disable trigger user`.execute(trx)
      await sql`delete from ${tableRef(table)}`.execute(trx)
      const rows = await copyTable(source, trx, table)
      await sql`alter table ${tableRef(table)} enable trigger user`.execute(trx)
      if (rows) say(`  ${table}: ${rows} row${rows === 1 ? '' : 's'}`)
    }
    for (const key of keys) await sql`alter table ${tableRef(key.table)} add constraint ${sql.ref(key.name)} ${sql.raw(key.definition)}`.execute(trx)
    const { rows: sequences } = await sql<{ name: string; last: string | null }>`
      select sequencename as name, last_value::text as last from pg_sequences where schemaname = 'public'`.execute(source)
    for (const s of sequences) {
      if (s.last !== null) await sql`select setval(${`public.${s.name}`}::regclass, ${s.last}::bigint, true)`.execute(trx)
    }
  })
}
