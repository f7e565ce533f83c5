import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'

const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
const run = promisify(execFile)

export const connections = 50

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  mean: number
  requests: number
  /** Connection errors and timeouts (10 s): a page too slow for the load, not a broken setup. */
  failed: number
  /** Answers other than 2xx (a 503 from the statement timeout or the heavy-route gate, say). */
  refused: number
  /** Bytes of a response as sent, headers included (compressed when an encoding was asked for). */
  bytes: number
}

interface AutocannonJson {
  requests: { average: number; total: number }
  throughput: { total: number }
  latency: { p50: number; p99: number; average: number }
  non2xx: number
  errors: number
  timeouts: number
}

/**
 * Autocannon in its own process: 50 connections (or `width`) for `seconds` against one page, with the session
 * (`credential` is the header that carries it: the cookie, or an API key's Authorization).
 * Autocannon sends no Accept-Encoding of its own: an `encoding` other than 'identity' is sent as one
 * (autocannon counts the bytes and does not decode them).
 */
export async function load(url: string, credential: string, seconds: number, encoding = 'identity', width = connections): Promise<LoadResult> {
  const headers = ['-H', credential, ...(encoding === 'identity' ? [] : ['-H', `accept-encoding=${encoding}`])]
  const { stdout } = await run(process.execPath, [autocannon, '-c', String(width), '-d', String(seconds), '-j', '-n', ...headers, url],
    { maxBuffer: 16 * 1024 * 1024 })
  const result = JSON.parse(stdout) as AutocannonJson
  return {
    // Only the pages served count: a 503 answered at once would otherwise look like speed.
    rps: result.requests.total ? result.requests.average * (result.requests.total - result.non2xx) / result.requests.total : 0, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average,
    requests: result.requests.total, failed: result.errors + result.timeouts, refused: result.non2xx, bytes: result.throughput.total / result.requests.total
  }
}
