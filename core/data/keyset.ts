import { sql, type Expression, type SqlBool } from 'kysely'

/**
 * The rows after a time cursor in an order of (time desc, id desc), as a row comparison: an index on
 * those columns (after any equality filters) starts reading at the cursor, where the same condition
 * written "older, or as old with a lower id" makes PostgreSQL read from the newest row and filter,
 * so each later page of a long list (a CSV export's thousandth, say) would cost more than the last.
 */
export function olderThan(time: string, id: string, after: { key: string; id: string }): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(time)}, ${sql.ref(id)}) < (${after.key}::timestamptz, ${after.id}::uuid)`
}
