import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

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
  REDIS_URL: Type.Optional(Type.String({
    pattern: '^rediss?://',
    description: 'Redis for what several instances must share: sign-in rate limits. Unset: each process counts on its own.'
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
  JOBS: flag(true, 'Run the background job runner in this process.'),
  DEMO_DATA: flag(false, 'Load demo partners, users and records on first start, when the database is empty.'),
  TRUST_PROXY: flag(false, 'Trust X-Forwarded-* headers (set behind a load balancer).')
})

export type RawConfig = Static<typeof ConfigSchema>

export interface Config extends Omit<RawConfig, 'JOBS' | 'DEMO_DATA' | 'TRUST_PROXY' | 'PORTAL_ADDONS' | 'PUBLIC_URL'> {
  PUBLIC_URL: string
  JOBS: boolean
  DEMO_DATA: boolean
  TRUST_PROXY: boolean
  PORTAL_ADDONS: string[]
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`)
  }
}

const describe = (key: string): string =>
  (ConfigSchema.properties as Record<string, { description?: string }>)[key]?.description ?? ''

/** Where a browser on this machine reaches a server listening on host:port. */
function listeningUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(host)
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${name}:${port}`
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') picked[key] = value
  }
  const raw = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, picked))
  const error = [...Value.Errors(ConfigSchema, raw)][0]
  if (error) {
    const variable = error.instancePath.replace(/^\//, '').split('/')[0] || '(unknown)'
    throw new ConfigError(variable, `has an invalid value (${error.message}). ${describe(variable)}`)
  }
  const config = raw as RawConfig
  return {
    ...config,
    PUBLIC_URL: config.PUBLIC_URL ?? listeningUrl(config.HOST, config.PORT),
    JOBS: config.JOBS === 'true',
    DEMO_DATA: config.DEMO_DATA === 'true',
    TRUST_PROXY: config.TRUST_PROXY === 'true',
    PORTAL_ADDONS: config.PORTAL_ADDONS.split(',').map((s) => s.trim()).filter(Boolean)
  }
}

export function configDescriptions(): Array<{ name: string; description: string; default?: unknown }> {
  return Object.entries(ConfigSchema.properties).map(([name, schema]) => ({
    name,
    description: (schema as { description?: string }).description ?? '',
    default: (schema as { default?: unknown }).default
  }))
}
