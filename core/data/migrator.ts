import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'

export const coreMigrationsDir = path.resolve(import.meta.dirname, '../../migrations')

/**
 * A folder of migrations. A feature's are named with it ('20270101000000_visits@field-service'),
 * so that once it is disabled the migrations it ran are told apart from missing ones of core; the
 * name still starts with the time, which orders core's and the features' on one timeline.
 */
export type MigrationsFolder = string | { dir: string; feature: string }

const migrationFile = /^\d{14}_[\w-]+\.(ts|js)$/
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations know no app types
type AnyDb = Kysely<any>

/** What features not enabled now ran: it stays in the database, done, and needs nothing of them. */
async function ranByOthers(db: AnyDb, enabled: Set<string>): Promise<string[]> {
  const { rows: [table] } = await sql<{ name: string | null }>`select to_regclass('kysely_migration')::text as name`.execute(db)
  if (!table?.name) return []
  const { rows } = await sql<{ name: string }>`select name from kysely_migration where name like '%@%'`.execute(db)
  return rows.map((r) => r.name).filter((name) => !enabled.has(name.slice(name.indexOf('@') + 1)))
}

/** Reads several folders (core and each enabled add-on) as one timeline ordered by name. */
class FoldersMigrationProvider implements MigrationProvider {
  constructor(private readonly folders: MigrationsFolder[], private readonly ranBefore: string[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {}
    for (const folder of this.folders) {
      const { dir, feature } = typeof folder === 'string' ? { dir: folder, feature: undefined } : folder
      for (const file of (await readdir(dir)).sort()) {
        if (!migrationFile.test(file) || file.endsWith('.d.ts')) continue
        const name = file.replace(/\.(ts|js)$/, '') + (feature ? `@${feature}` : '')
        if (migrations[name]) throw new Error(`Two migrations are named ${name}`)
        migrations[name] = await import(pathToFileURL(path.join(dir, file)).href) as Migration
      }
    }
    for (const name of this.ranBefore) migrations[name] ??= { up: async () => {} }
    return migrations
  }
}

/** Runs the migrations on one connection freed of the statement timeout: a migration on a big table may take minutes. */
export async function migrateToLatest(db: AnyDb, folders: MigrationsFolder[]): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await sql`set statement_timeout = 0`.execute(connection)
    try {
      return await migrate(connection, folders)
    } finally {
      // A connection lost mid-migration fails here too; the migration's own error is the one to report.
      await sql`reset statement_timeout`.execute(connection).catch(() => undefined)
    }
  })
}

async function migrate(db: AnyDb, folders: MigrationsFolder[]): Promise<string[]> {
  // Asked before the migrator's transaction: on PGlite's one connection a query beside it would wait forever.
  const enabled = new Set(folders.flatMap((f) => (typeof f === 'string' ? [] : [f.feature])))
  const migrator = new Migrator({
    db,
    provider: new FoldersMigrationProvider(folders, await ranByOthers(db, enabled)),
    // An add-on enabled later brings migrations older than ones already run.
    allowUnorderedMigrations: true
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  const failed = results.find((r) => r.status === 'Error')
  if (failed) throw new Error(`Migration ${failed.migrationName} failed`)
  return results.map((r) => r.migrationName)
}
