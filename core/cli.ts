import { parseArgs } from 'node:util'
import { systemActor } from './data/audit/audit.service.ts'
import { loadConfig, withFeatureConfig } from './config.ts'
import { backup, restore } from './data/backup.ts'
import { openDatabase } from './data/database.ts'
import { moveTo } from './data/move-to.ts'
import { coreMigrationsDir, migrateToLatest } from './data/migrator.ts'
import { Contributions } from './features/contributions.ts'
import { loadFeatures } from './features/features.ts'
import { coreModules } from './features/modules.ts'
import { pluginsDir } from './app.ts'
import { createAppContainer } from './container.ts'
import { pino } from 'pino'
import { parseForm, email, password, text, Type } from './lib/validation.ts'
import { Invalid } from './lib/errors.ts'

const usage = `Usage:
  npm run migrate                                   run database migrations
  npm run portal -- create-admin --email E --name N [--password P]
                                                    create a staff admin (password read from PORTAL_ADMIN_PASSWORD if not given)
  npm run portal -- backup FILE                     write a dump of the database (DATABASE_URL, else DATA_DIR) to FILE
  npm run portal -- restore FILE                    load a backup into an empty database
  npm run portal -- move-to DATABASE_URL            copy the embedded database (DATA_DIR) into an empty PostgreSQL database`

const AdminForm = Type.Object({ email: email(), name: text({ label: 'Name', max: 120 }), password: password() })

/** The one FILE or URL a command takes; a missing one is an operator's mistake, with the usage. */
function argument(rest: string[], what: string): string {
  if (rest.length !== 1 || !rest[0]) throw new Error(`Give one ${what}.\n\n${usage}`)
  return rest[0]
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2)
  const coreConfig = loadConfig()
  const features = await loadFeatures(coreModules, coreConfig.PORTAL_ADDONS, [pluginsDir])
  // Checked before anything is migrated, as the server checks it at start-up.
  const config = withFeatureConfig(coreConfig, features)
  const where = config.DATABASE_URL ? 'the PostgreSQL database' : `the embedded database in ${config.DATA_DIR}`
  if (command === 'backup') {
    const file = argument(rest, 'FILE to write the backup to')
    const { bytes } = await backup(config, file)
    process.stdout.write(`Backed up ${where} to ${file} (${(bytes / 1024).toFixed(0)} KB).\n`)
    return
  }
  if (command === 'restore') {
    const file = argument(rest, 'backup FILE to restore')
    const { tables } = await restore(config, file)
    process.stdout.write(`Restored ${file} into ${where} (${tables} tables). Start the portal as usual; it migrates the data forward if the backup is older.\n`)
    return
  }
  if (command === 'move-to') {
    const url = argument(rest, 'DATABASE_URL to move the embedded database to (postgres://user:password@host:5432/database)')
    await moveTo(config, [coreMigrationsDir, ...new Contributions(features).migrations], url, (line) => process.stdout.write(`${line}\n`))
    return
  }
  const database = await openDatabase(config)
  try {
    const ran = await migrateToLatest(database.db, [coreMigrationsDir, ...new Contributions(features).migrations])
    if (command === 'migrate') {
      process.stdout.write(ran.length ? `Applied ${ran.length} migration(s):\n  ${ran.join('\n  ')}\n` : 'The database is up to date.\n')
      return
    }
    if (command === 'create-admin') {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } })
      const form = parseForm(AdminForm, { ...values, name: values.name ?? 'Administrator', password: values.password ?? process.env.PORTAL_ADMIN_PASSWORD ?? '' })
      const { users, db } = createAppContainer({ config, db: database.db, dialect: database.dialect, logger: pino({ level: 'warn' }) }).cradle
      const user = await db.transaction().execute((trx) =>
        users.createWithPassword(trx, systemActor, { email: form.email, name: form.name, password: form.password, kind: 'staff', role: 'admin' }))
      process.stdout.write(`Staff admin ${user.email} created. Sign in at ${config.PUBLIC_URL}/signin\n`)
      return
    }
    process.stdout.write(`${usage}\n`)
    process.exitCode = command ? 2 : 0
  } finally {
    await database.close()
  }
}

main().catch((err: unknown) => {
  if (err instanceof Invalid) console.error(Object.values(err.fields).join('\n'))
  else console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
