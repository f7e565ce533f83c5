import { sql, type Expression, type SqlBool } from 'kysely'
import type { DbOrTrx } from '../data/database.ts'
import type { Reader, ReaderRef } from './audience.ts'

/**
 * The audience rule of audience.ts as a condition on a table's audience columns (`audience`,
 * `audience_level_id`, `audience_partner_ids`, qualified by `table`), for every query that lists,
 * counts or searches content a reader may see. Staff: always true.
 */
export function readableBy(reader: Reader, table: string): Expression<SqlBool> {
  const column = (name: string) => sql.ref(`${table}.${name}`)
  if (reader.kind === 'staff') return sql<SqlBool>`true`
  if (reader.kind === 'visitor') return sql<SqlBool>`${column('audience')} = 'public'`
  const levels = reader.levelIds.length > 0 ? sql`${column('audience_level_id')} in (${sql.join(reader.levelIds)})` : sql`false`
  return sql<SqlBool>`(${column('audience')} in ('public', 'partners')
    or (${column('audience')} = 'levels' and ${levels})
    or (${column('audience')} = 'companies' and ${reader.partnerId}::uuid = any(${column('audience_partner_ids')})))`
}

/** The levels a partner's level covers: its own and those ranked below it (none without a level). */
const coveredLevels = (partnerId: string | Expression<string | null>) => sql<{ id: string }>`select l.id from partners p
  join partner_levels own on own.id = p.level_id join partner_levels l on l.rank <= own.rank where p.id = ${partnerId}`

/** The same levels as one value for the page loader. */
export const levelsCoveredQuery = (partnerId: string) => sql<string[]>`select array(${coveredLevels(partnerId)})::text[]`

export async function levelsCoveredBy(db: DbOrTrx, partnerId: string): Promise<string[]> {
  return (await coveredLevels(partnerId).execute(db)).rows.map((r) => r.id)
}

/**
 * The same rule for a partner known only by id (or by a column, such as a recipient's), the levels
 * its company's level covers worked out in the query: for values read through the page loader, in
 * the page's one round trip, and for who may be told of new content.
 */
export function readableByPartner(partnerId: string | Expression<string | null>, table: string): Expression<SqlBool> {
  const column = (name: string) => sql.ref(`${table}.${name}`)
  return sql<SqlBool>`(${column('audience')} in ('public', 'partners')
    or (${column('audience')} = 'levels' and ${column('audience_level_id')} in (${coveredLevels(partnerId)}))
    or (${column('audience')} = 'companies' and ${partnerId}::uuid = any(${column('audience_partner_ids')})))`
}

/** The rule for a reader whose levels are not read yet: a partner's worked out in the query. */
export function readableByRef(reader: ReaderRef, table: string): Expression<SqlBool> {
  return reader.kind === 'partner' ? readableByPartner(reader.partnerId, table) : readableBy(reader, table)
}
