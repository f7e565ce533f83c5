import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { DataDirLockedError } from './db/data-dir-lock.ts'
import { FeatureError } from './features.ts'
import { seedDemo } from './demo.ts'

/** The only place that listens: start, print where to sign in, and shut down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig()
  const app = await buildApp(config)
  const accounts = config.DEMO_DATA ? await seedDemo(app) : undefined
  await app.listen({ host: config.HOST, port: config.PORT })

  const lines = [`Partner Portal is running at ${config.PUBLIC_URL}  (sign in: ${config.PUBLIC_URL}/signin)`]
  if (!config.DATABASE_URL) lines.push(`Database: embedded PGlite in ${config.DATA_DIR}`)
  if (accounts?.length) {
    lines.push('Demo accounts (loaded just now):')
    for (const a of accounts) lines.push(`  ${a.role.padEnd(22)} ${a.email.padEnd(32)} ${a.password}`)
  } else if (config.DEMO_DATA) {
    lines.push('Demo data was loaded on an earlier start; see README.md for the demo accounts.')
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`)

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing requests in flight')
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    app.close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof FeatureError || err instanceof DataDirLockedError) {
    console.error(err.message)
  } else {
    console.error(err)
  }
  process.exit(1)
})
