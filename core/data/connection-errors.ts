/**
 * Errors that mean the database could not be reached or dropped the connection, as opposed to a
 * query that failed: the request gets a calm 503, not a 500 with a stack trace.
 */
const unavailableCodes = new Set([
  '57P01', // admin_shutdown: the server is stopping, or pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'
])

const unavailableMessages = [
  'Connection terminated', // pg: the socket closed under a query or while connecting
  'timeout exceeded when trying to connect', // pg-pool: no connection within connectionTimeoutMillis
  'is not queryable', // pg: a client that already lost its connection
  'Client has encountered a connection error'
]

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return false
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true
    if (typeof message === 'string' && unavailableMessages.some((m) => message.includes(m))) return true
  }
  return false
}

/** PostgreSQL cancelled the query because it ran past the statement timeout (DATABASE_STATEMENT_TIMEOUT_MS). */
export function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014'
}
