import { sql, type Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database, whatever its tables
type AnyDb = Kysely<any>

export interface TableFigures {
  rows: number
  /** md5 over the md5 of each row's text, in the order of those: equal when the rows are, in any physical order. */
  checksum: string
}

/** The tables of the public schema, by name. */
export async function publicTables(db: AnyDb): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname collate "C"`.execute(db)
  return rows.map((r) => r.name)
}

/**
 * Row count and checksum of every table in the public schema. Rows are read as text in UTC and
 * ISO dates, so a PGlite database and a PostgreSQL server holding the same rows agree.
 */
export async function tableFigures(db: AnyDb, tables?: string[]): Promise<Map<string, TableFigures>> {
  return db.transaction().execute(async (trx) => {
    await sql`set local timezone to 'UTC'`.execute(trx)
    await sql`set local datestyle to 'ISO, MDY'`.execute(trx)
    const figures = new Map<string, TableFigures>()
    for (const table of tables ?? await publicTables(trx)) {
      const { rows: [row] } = await sql<{ rows: number; checksum: string }>`
        select count(*)::int as rows,
               md5(coalesce(string_agg(h, '' order by h collate "C"), '')) as checksum
        from (select md5(t::text) as h from ${sql.table(`public.${table}`)} t) hashed`.execute(trx)
      figures.set(table, { rows: Number(row!.rows), checksum: row!.checksum })
    }
    return figures
  })
}
