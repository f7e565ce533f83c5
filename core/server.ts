import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig, type Config } from './config.ts'
import { DataDirLockedError } from './data/data-dir-lock.ts'
import { isDatabaseUnavailable } from './data/connection-errors.ts'
import { FeatureError } from './features/features.ts'
import { seedDemo } from './features/demo.ts'

/** The longest a stop may take after the drain, finishing requests and the job at hand. */
const finishWithinMs = 30_000

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A graceful stop: /readyz answers 503 at once while the server keeps serving for the drain, so a
 * load balancer moves traffic away; then the listener closes, requests in flight finish, the job
 * runner finishes or releases its job, the database closes, and the process exits 0.
 */
function stopOnSignals(app: FastifyInstance, config: Config): (reason: string, code?: number) => void {
  let stopping = false
  const stop = (reason: string, code = 0, drainSeconds = config.SHUTDOWN_DRAIN_SECONDS) => {
    if (stopping) return
    stopping = true
    app.diContainer.cradle.lifecycle.beginDrain()
    app.log.info({ reason, drainSeconds }, 'stopping: /readyz answers 503 while requests drain')
    void pause(drainSeconds * 1000).then(() => {
      app.log.info('closing: finishing requests in flight')
      setTimeout(() => {
        app.log.error('requests did not finish in time; exiting')
        process.exit(1)
      }, finishWithinMs).unref()
      return app.close()
    }).then(() => {
      app.log.info('stopped')
      process.exit(code)
    }, (err: unknown) => {
      app.log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
  }
  // Ctrl-C at a terminal: nobody is balancing load there, so no drain.
  process.on('SIGINT', () => stop('SIGINT', 0, 0))
  process.on('SIGTERM', () => stop('SIGTERM'))
  return stop
}

/**
 * Nothing ends the process unseen. A promise rejected with nobody listening is a bug to log, not
 * a reason to drop every other request; a lost database connection is what DatabaseAvailability
 * reports. Any other uncaught exception leaves the process in a state nobody knows, so it stops
 * gracefully (exit 1) for the service manager to start it afresh.
 */
function keepServing(app: FastifyInstance, stop: (reason: string, code?: number) => void): void {
  process.on('unhandledRejection', (reason) => {
    if (isDatabaseUnavailable(reason)) app.diContainer.cradle.availability.noteFailure(reason)
    else app.log.error({ err: reason }, 'unhandled promise rejection; still serving')
  })
  process.on('uncaughtException', (err) => {
    if (isDatabaseUnavailable(err)) {
      app.diContainer.cradle.availability.noteFailure(err)
      return
    }
    app.log.fatal({ err }, 'uncaught exception; stopping')
    stop('uncaught exception', 1)
  })
}

/** The only place that listens: start, print where to sign in, and shut down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig()
  const app = await buildApp(config)
  const stop = stopOnSignals(app, config)
  keepServing(app, stop)
  const accounts = config.DEMO_DATA ? await seedDemo(app) : undefined
  await app.listen({ host: config.HOST, port: config.PORT })
  const metricsAt = await app.metrics?.listen()

  const lines = [`Partner Portal is running at ${config.PUBLIC_URL}  (sign in: ${config.PUBLIC_URL}/signin)`]
  if (!config.DATABASE_URL) lines.push(`Database: embedded PGlite in ${config.DATA_DIR}`)
  if (metricsAt && config.METRICS_LISTEN) lines.push(`Metrics: http://${config.METRICS_LISTEN.replace(/\d+$/, String(metricsAt.port))}/metrics${config.METRICS_TOKEN ? ' (with the bearer token METRICS_TOKEN)' : ''}`)
  if (accounts?.length) {
    lines.push('Demo accounts (loaded just now):')
    for (const a of accounts) lines.push(`  ${a.role.padEnd(22)} ${a.email.padEnd(32)} ${a.password}`)
  } else if (config.DEMO_DATA) {
    lines.push('Demo data was loaded on an earlier start; see README.md for the demo accounts.')
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`)
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof FeatureError || err instanceof DataDirLockedError) {
    console.error(err.message)
  } else {
    console.error(err)
  }
  process.exit(1)
})
