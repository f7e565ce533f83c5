import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { coreMigrationsDir } from '../core/data/migrator.ts'

/** A short hash of the core migrations (names and contents, and any extra parts), naming a migrated template. */
export function migrationsHash(...extra: string[]): string {
  const hash = createHash('sha256')
  for (const file of readdirSync(coreMigrationsDir).sort()) hash.update(file).update(readFileSync(path.join(coreMigrationsDir, file)))
  for (const part of extra) hash.update(part)
  return hash.digest('hex').slice(0, 12)
}
