import type { Kysely } from 'kysely'

/**
 * Keyset cursors carry a timestamp as a JavaScript Date, which holds milliseconds. A column
 * with microseconds would let rows within one millisecond fall between two pages, so the
 * columns lists page by keep milliseconds.
 */
const keyed = [['audit_log', 'at'], ['mail_outbox', 'created_at']] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, column] of keyed) {
    await db.schema.alterTable(table).alterColumn(column, (c) => c.setDataType('timestamptz(3)')).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column] of keyed) {
    await db.schema.alterTable(table).alterColumn(column, (c) => c.setDataType('timestamptz')).execute()
  }
}
