import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'

export const coreMigrationsDir = path.resolve(import.meta.dirname, '../../migrations')

/** Reads several folders (core and each enabled add-on) as one timeline ordered by name. */
class FoldersMigrationProvider implements MigrationProvider {
  constructor(private readonly folders: string[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {}
    for (const folder of this.folders) {
      for (const file of (await readdir(folder)).sort()) {
        if (!/^\d{14}_[\w-]+\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue
        const name = file.replace(/\.(ts|js)$/, '')
        if (migrations[name]) throw new Error(`Two migrations are named ${name}`)
        migrations[name] = await import(pathToFileURL(path.join(folder, file)).href) as Migration
      }
    }
    return migrations
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations know no app types
export async function migrateToLatest(db: Kysely<any>, folders: string[]): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FoldersMigrationProvider(folders),
    // An add-on enabled later brings migrations older than ones already run.
    allowUnorderedMigrations: true
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  const failed = results.find((r) => r.status === 'Error')
  if (failed) throw new Error(`Migration ${failed.migrationName} failed`)
  return results.map((r) => r.migrationName)
}
