import Type, { type Static, type TObject } from 'typebox'
import Value from 'typebox/value'
import { FeatureError, type Feature } from './features/features.ts'

const flag = (byDefault: boolean, description: string) =>
  Type.Union([Type.Literal('true'), Type.Literal('false')], { default: String(byDefault), description })

export const ConfigSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({
    pattern: '^postgres(ql)?://',
    description: 'PostgreSQL connection string. Unset: embedded PGlite in DATA_DIR.'
  })),
  DATABASE_POOL_SIZE: Type.Integer({
    default: 10, minimum: 1, maximum: 500,
    description: 'Connections each instance keeps open to PostgreSQL; a database server with few cores does better with fewer.'
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({
    default: 10_000, minimum: 0, maximum: 3_600_000,
    description: 'A query on PostgreSQL that runs longer than this (ms) is cancelled and its page answers 503, so one slow page cannot hold the database; 0 turns it off. Migrations are exempt.'
  }),
  HEAVY_PAGES_AT_ONCE: Type.Integer({
    default: 2, minimum: 1, maximum: 100,
    description: 'Reports over every partner\'s data (staff figures, lists, duplicates, exports) one instance prepares at once; four times as many more wait, the rest answer 503 after a second.'
  }),
  HEAVY_PAGES_WAIT_SECONDS: Type.Integer({
    default: 10, minimum: 0, maximum: 300,
    description: 'How long a report waits for one of those places before it answers 503.'
  }),
  DATA_DIR: Type.String({
    default: './data',
    minLength: 1,
    description: 'Folder for the embedded PGlite database (created if missing); "memory://" keeps it in memory.'
  }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Interface to listen on.' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'TCP port to listen on.' }),
  PUBLIC_URL: Type.Optional(Type.String({
    pattern: '^https?://[^/]+',
    description: 'Address people use to reach the portal; links in e-mails start with it. https makes cookies Secure. Unset: the address the server listens on (http://localhost:PORT on a loopback or every interface).'
  })),
  SESSION_SECRET: Type.Optional(Type.String({
    minLength: 32,
    description: 'Signs session cookies (32+ characters). Unset: generated once and kept in DATA_DIR.'
  })),
  PORTAL_ADDONS: Type.String({
    default: '',
    pattern: '^[a-z0-9, -]*$',
    description: 'Comma list of add-ons to enable, e.g. "field-service,project-service".'
  }),
  SMTP_URL: Type.Optional(Type.String({
    pattern: '^smtps?://',
    description: 'SMTP server for outgoing mail, e.g. smtp://user:pass@host:587. Unset: mail stays in the outbox.'
  })),
  API_RATE_LIMIT: Type.Integer({
    default: 600, minimum: 1, maximum: 100_000,
    description: 'Requests an API key may make a minute; over it the API answers 429 with Retry-After (counted in Redis when REDIS_URL is set).'
  }),
  REDIS_URL: Type.Optional(Type.String({
    pattern: '^rediss?://',
    description: 'Redis for what several instances must share: the rate limits of sign-in, two-factor codes, password resets and the API. Unset: each process counts on its own.'
  })),
  MAIL_FROM: Type.String({ default: 'Partner Portal <portal@localhost>', minLength: 3, description: 'Sender of outgoing mail.' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level.' }
  ),
  SHUTDOWN_DRAIN_SECONDS: Type.Integer({
    default: 5, minimum: 0, maximum: 300,
    description: 'On SIGTERM, seconds /readyz answers 503 while the server still serves, so a load balancer can move traffic away first.'
  }),
  METRICS_LISTEN: Type.Optional(Type.String({
    pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$',
    description: 'host:port of a separate listener serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9464. Unset: no metrics are kept or served.'
  })),
  METRICS_TOKEN: Type.Optional(Type.String({
    minLength: 16,
    description: 'Bearer token /metrics asks for (16+ characters). Unset: /metrics answers anyone who reaches METRICS_LISTEN.'
  })),
  JOBS: flag(true, 'Run the background job runner in this process.'),
  DEMO_DATA: flag(false, 'Load demo partners, users and records on first start, when the database is empty.'),
  TRUST_PROXY: flag(false, 'Trust X-Forwarded-* headers (set behind a load balancer).'),
  WEBHOOKS_ALLOW_PRIVATE: flag(false, 'Let webhooks call private, loopback and link-local addresses and plain http (for tests and closed networks only).')
})

export type RawConfig = Static<typeof ConfigSchema>

/**
 * The app's configuration. An add-on adds the variables of its `config` fragment here by
 * declaration merging, next to the fragment.
 */
export interface Config extends Omit<RawConfig, 'JOBS' | 'DEMO_DATA' | 'TRUST_PROXY' | 'WEBHOOKS_ALLOW_PRIVATE' | 'PORTAL_ADDONS' | 'PUBLIC_URL'> {
  PUBLIC_URL: string
  JOBS: boolean
  DEMO_DATA: boolean
  TRUST_PROXY: boolean
  WEBHOOKS_ALLOW_PRIVATE: boolean
  PORTAL_ADDONS: string[]
  /** The environment it was read from: the enabled add-ons' variables are read from it once they are known. */
  env: Readonly<Record<string, string | undefined>>
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`)
  }
}

const describe = (schema: TObject, key: string): string =>
  (schema.properties as Record<string, { description?: string }>)[key]?.description ?? ''

/** The schema's variables from the environment, converted to their types and checked; unset or empty ones take their defaults. */
function readVariables(schema: TObject, env: Record<string, string | undefined>): Record<string, unknown> {
  const picked: Record<string, string> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') picked[key] = value
  }
  const raw = Value.Default(schema, Value.Convert(schema, picked))
  const error = [...Value.Errors(schema, raw)][0]
  if (error) {
    const variable = error.instancePath.replace(/^\//, '').split('/')[0] || '(unknown)'
    throw new ConfigError(variable, `has an invalid value (${error.message}). ${describe(schema, variable)}`)
  }
  return raw as Record<string, unknown>
}

/** Where a browser on this machine reaches a server listening on host:port. */
function listeningUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(host)
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${name}:${port}`
}

/**
 * Core's variables. The add-ons' are added by withFeatureConfig when the app is built, before any
 * add-on's code runs: hence the cast, as for the container's registrations of add-ons.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = readVariables(ConfigSchema, env) as RawConfig
  if (config.METRICS_LISTEN && config.PORT !== 0 && config.METRICS_LISTEN.endsWith(`:${config.PORT}`)) {
    throw new ConfigError('METRICS_LISTEN', `uses PORT (${config.PORT}): metrics are served on a listener of their own, never on the public port.`)
  }
  return {
    ...config,
    PUBLIC_URL: config.PUBLIC_URL ?? listeningUrl(config.HOST, config.PORT),
    JOBS: config.JOBS === 'true',
    DEMO_DATA: config.DEMO_DATA === 'true',
    TRUST_PROXY: config.TRUST_PROXY === 'true',
    WEBHOOKS_ALLOW_PRIVATE: config.WEBHOOKS_ALLOW_PRIVATE === 'true',
    PORTAL_ADDONS: config.PORTAL_ADDONS.split(',').map((s) => s.trim()).filter(Boolean),
    env
  } as Config
}

/**
 * Each feature's config fragment, merged into the app's schema: a variable belongs to one feature,
 * is described, and is read and checked like core's, so a bad value stops start-up naming it.
 */
export function withFeatureConfig(config: Config, features: Feature[]): Config {
  const owners = new Map<string, string>(Object.keys(ConfigSchema.properties).map((name) => [name, 'core']))
  const values: Record<string, unknown> = {}
  for (const feature of features) {
    if (!feature.config) continue
    for (const name of Object.keys(feature.config.properties)) {
      const owner = owners.get(name)
      if (owner) throw new FeatureError(`"${feature.name}" declares the config variable ${name}, which ${owner === 'core' ? 'the core' : `"${owner}"`} declares too.`)
      if (!describe(feature.config, name)) throw new FeatureError(`"${feature.name}" declares the config variable ${name} without a description.`)
      owners.set(name, feature.name)
    }
    Object.assign(values, readVariables(feature.config, config.env))
  }
  return { ...config, ...values }
}

/** Every variable with its description and default: core's, then those of the features given. */
export function configDescriptions(features: Feature[] = []): Array<{ name: string; description: string; default?: unknown; feature?: string }> {
  const describeAll = (schema: TObject, feature?: string) => Object.entries(schema.properties).map(([name, property]) => ({
    name,
    description: (property as { description?: string }).description ?? '',
    default: (property as { default?: unknown }).default,
    ...(feature ? { feature } : {})
  }))
  return [...describeAll(ConfigSchema), ...features.flatMap((f) => (f.config ? describeAll(f.config, f.name) : []))]
}
