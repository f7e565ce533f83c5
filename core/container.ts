import { asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from './config.ts'
import { DatabaseAvailability } from './data/availability.ts'
import type { Db } from './data/database.ts'
import { EventBus } from './background/events/events.ts'
import type { Feature } from './features/features.ts'
import { JobQueue } from './background/jobs/job-queue.ts'
import { JobRunner } from './background/jobs/job-runner.ts'
import { Lifecycle } from './lifecycle.ts'
import { Mailer } from './background/mail/mailer.ts'
import { SubmissionsService } from './web/submissions/submissions.ts'
import { createPageLoader, type PageLoader } from './web/page-loader.ts'
import { PartnerUsersService } from './identity/users/partner-users.service.ts'
import { UsersService } from './identity/users/users.service.ts'
import type { ApiKeysService } from './identity/api-keys/api-keys.service.ts'
import { TwoFactorService } from './identity/two-factor/two-factor.service.ts'
import { systemClock, type Clock } from './lib/clock.ts'

/**
 * Everything the container holds. Features add their services here by declaration merging
 * from their own index.ts, next to their `register`.
 */
export interface Cradle {
  config: Config
  db: Db
  dialect: 'postgres' | 'pglite'
  logger: Logger
  availability: DatabaseAvailability
  lifecycle: Lifecycle
  jobs: JobRunner
  jobQueue: JobQueue
  events: EventBus
  mailer: Mailer
  submissions: SubmissionsService
  users: UsersService
  partnerUsers: PartnerUsersService
  twoFactor: TwoFactorService
  /** The time as the services read it where a test sets it (TOTP codes). */
  clock: Clock
  /** API keys: issued by admins, checked on every API call (registered by the app, which knows the areas). */
  apiKeys: ApiKeysService
  /** A loader for one page's widgets and panels (core/web/page-loader.ts): a new one per page. */
  pageLoader: () => PageLoader
  features: Feature[]
}

export type AppContainer = AwilixContainer<Cradle>

/** One container per app: two apps in one process never share registrations. */
export function createAppContainer(base: Pick<Cradle, 'config' | 'db' | 'dialect' | 'logger'>): AppContainer {
  const container = createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true })
  const availability = new DatabaseAvailability({ db: base.db, logger: base.logger })
  const lifecycle = new Lifecycle()
  // PGlite is one connection in this thread, and a queue of jobs would hold it — and the event
  // loop — until the queue is empty. Between two jobs the runner lets the event loop take in
  // requests (setImmediate runs after pending I/O), then waits until they are answered.
  const giveWay = base.dialect === 'pglite'
    ? async () => {
      await new Promise((resolve) => setImmediate(resolve))
      await lifecycle.whenIdle(250)
    }
    : undefined
  const jobs = new JobRunner({ db: base.db, logger: base.logger, availability, giveWay })
  const mailer = new Mailer({ config: base.config, jobs })
  const events = new EventBus({ jobs })
  const clock = systemClock()
  container.register({
    config: asValue(base.config),
    db: asValue(base.db),
    dialect: asValue(base.dialect),
    logger: asValue(base.logger),
    availability: asValue(availability),
    lifecycle: asValue(lifecycle),
    jobs: asValue(jobs),
    jobQueue: asValue(new JobQueue({ db: base.db })),
    events: asValue(events),
    mailer: asValue(mailer),
    submissions: asValue(new SubmissionsService({ db: base.db, jobs })),
    users: asValue(new UsersService({ db: base.db, mailer, config: base.config, jobs })),
    partnerUsers: asValue(new PartnerUsersService({ db: base.db, events })),
    clock: asValue(clock),
    twoFactor: asValue(new TwoFactorService({ db: base.db, mailer, clock })),
    pageLoader: asValue(() => createPageLoader(base.db))
  })
  return container
}

type PortalCradle = Cradle
declare module '@fastify/awilix' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Cradle extends PortalCradle {}
}
