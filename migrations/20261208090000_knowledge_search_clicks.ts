import type { Kysely } from 'kysely'

/** When a reader first opened a result of a logged search: staff see the searches that led nowhere. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_searches').addColumn('clicked_at', 'timestamptz').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_searches').dropColumn('clicked_at').execute()
}
