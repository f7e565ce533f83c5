import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'

/** Ids of every row a partner owns, from every table that carries partner_id and an id (and the partner itself). */
export async function idsOwnedBy(app: FastifyInstance, partnerId: string): Promise<string[]> {
  const { db } = app.diContainer.cradle
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.columns c
    where column_name = 'partner_id' and table_schema = current_schema() and table_name <> 'audit_log'
      and exists (select 1 from information_schema.columns i
        where i.table_schema = c.table_schema and i.table_name = c.table_name and i.column_name = 'id')`.execute(db)
  const ids = new Set<string>([partnerId])
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ id: string }>`select id::text as id from ${sql.table(table_name)} where partner_id = ${partnerId}`.execute(db)
    for (const row of rows.rows) ids.add(row.id)
  }
  return [...ids]
}

/** A fingerprint of every table's contents, to prove a request changed nothing. */
export async function fingerprint(app: FastifyInstance): Promise<Record<string, string>> {
  const { db } = app.diContainer.cradle
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(db)
  const result: Record<string, string> = {}
  for (const { table_name } of tables.rows) {
    const row = await sql<{ digest: string | null }>`
      select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.table(table_name)} t`.execute(db)
    result[table_name] = row.rows[0]?.digest ?? ''
  }
  return result
}

/** A concrete URL for a route pattern, with every parameter set to the given id. */
export const fill = (pattern: string, id: string): string => pattern.replace(/:[A-Za-z_]+/g, id)
