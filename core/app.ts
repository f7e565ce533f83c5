import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { fastifyAwilixPlugin } from '@fastify/awilix'
import { asValue } from 'awilix'
import { withFeatureConfig, type Config } from './config.ts'
import { createAppContainer } from './container.ts'
import { openDatabase, type DatabaseHandle } from './data/database.ts'
import { coreMigrationsDir, migrateToLatest } from './data/migrator.ts'
import { Contributions } from './features/contributions.ts'
import { loadFeatures, type NavEntry } from './features/features.ts'
import { coreModules } from './features/modules.ts'
import security from './web/security.ts'
import compression from './web/compression.ts'
import session from './identity/auth/session.ts'
import views from './web/views.ts'
import heavyRoutes from './web/heavy-routes.ts'
import errorHandler from './web/error-handler.ts'
import authRoutes from './identity/auth/auth.routes.ts'
import passwordResetRoutes from './identity/auth/password-reset.routes.ts'
import twoFactorRoutes from './identity/auth/two-factor.routes.ts'
import sessionsRoutes from './identity/auth/sessions.routes.ts'
import healthRoutes from './web/health.ts'
import metrics from './web/metrics.ts'
import { sessionSecret } from './identity/session-secret.ts'
import { ApiKeysService } from './identity/api-keys/api-keys.service.ts'
import api from './api/api.ts'

export const pluginsDir = path.resolve(import.meta.dirname, '../plugins')

/** Core's own entry of the visitors' navigation, after the features' public entries. */
const coreNav: NavEntry[] = [{ audience: 'public', label: 'Sign in', href: '/signin', order: 100 }]

export interface BuildOptions {
  /** Extra folders to look for add-ons in (tests use a fixture add-on). */
  addonDirs?: string[]
  /** An already open database; the app then leaves closing it to the caller. */
  database?: DatabaseHandle
  /** Where the log goes instead of standard output (tests read it). */
  logStream?: NodeJS.WritableStream
  /** Checks every API response against its declared schema (the tests do). */
  validateResponses?: boolean
}

/**
 * What a request log line says of the request: its path without the query, where searches and the
 * pickers that work without JavaScript carry customers' names and e-mail addresses.
 */
export function requestForLog(request: FastifyRequest) {
  const query = request.url.indexOf('?')
  return { method: request.method, url: query < 0 ? request.url : `${request.url.slice(0, query)}?…`, remoteAddress: request.ip }
}

/** Builds the whole portal from a config: database, migrations, container, plugins, features. */
export async function buildApp(coreConfig: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const features = await loadFeatures(coreModules, coreConfig.PORTAL_ADDONS, [pluginsDir, ...(options.addonDirs ?? [])])
  const contributions = new Contributions(features)
  const config = withFeatureConfig(coreConfig, features)
  const database = options.database ?? await openDatabase(config)
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, serializers: { req: requestForLog }, ...(options.logStream ? { stream: options.logStream } : {}) },
    trustProxy: config.TRUST_PROXY,
    return503OnClosing: true
  })
  if (database.tookOverLockFrom) {
    app.log.warn({ holder: database.tookOverLockFrom, dataDir: config.DATA_DIR }, 'took over the data folder lock of a process that is gone')
  }
  try {
    await migrateToLatest(database.db, [coreMigrationsDir, ...contributions.migrations])

    const container = createAppContainer({ config, db: database.db, dialect: database.dialect, logger: app.log })
    container.register({ features: asValue(features), contributions: asValue(contributions), channelAreas: asValue(contributions.areas) })
    container.register({ apiKeys: asValue(new ApiKeysService({ db: database.db, areas: contributions.areas, events: container.cradle.events })) })
    for (const feature of features) feature.register?.(container)
    await app.register(fastifyAwilixPlugin, {
      container, disposeOnClose: false, disposeOnResponse: false, asyncInit: false, asyncDispose: false, eagerInject: false
    })

    if (config.METRICS_LISTEN) {
      const { jobQueue, jobs } = container.cradle
      await app.register(metrics, {
        listen: config.METRICS_LISTEN, token: config.METRICS_TOKEN, pool: database.pool,
        queue: () => jobQueue.byKind(), onJobFinished: (listener) => jobs.onFinished(listener)
      })
    }
    const secret = sessionSecret(config)
    await app.register(security, { config, secret })
    await app.register(heavyRoutes, { limit: config.HEAVY_PAGES_AT_ONCE, waitSeconds: config.HEAVY_PAGES_WAIT_SECONDS, refusalDelayMs: 1000 })
    await app.register(session, { config, secret, db: database.db, areas: contributions.areas })
    await app.register(compression)
    await app.register(views, { features, nav: [...contributions.nav, ...coreNav] })
    await app.register(errorHandler)
    await app.register(healthRoutes)
    await app.register(authRoutes)
    await app.register(passwordResetRoutes)
    await app.register(twoFactorRoutes)
    await app.register(sessionsRoutes)
    for (const feature of features) if (feature.routes) await app.register(feature.routes)
    await app.register(api, { features, publicUrl: config.PUBLIC_URL, rateLimit: config.API_RATE_LIMIT, validateResponses: options.validateResponses ?? false })

    const { jobs, availability, lifecycle } = container.cradle
    if (config.JOBS) app.addHook('onReady', async () => jobs.start())
    // While draining, clients are asked not to keep their connection, so they reconnect elsewhere.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (lifecycle.draining) reply.header('connection', 'close')
      done(null, payload)
    })
    if (database.dialect === 'pglite') {
      // Counted for the job runner, which gives way to requests on the one embedded connection.
      app.addHook('onRequest', (_request, _reply, done) => {
        lifecycle.requestStarted()
        done()
      })
      app.addHook('onResponse', (_request, _reply, done) => {
        lifecycle.requestEnded()
        done()
      })
    }
    app.addHook('onClose', async () => {
      await jobs.stop()
      availability.stop()
      if (!options.database) await database.close()
    })
    return app
  } catch (err) {
    if (!options.database) await database.close()
    throw err
  }
}
