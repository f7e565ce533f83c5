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
 * Autocannon in its own process: 50 connections for `seconds` against one page, with the session
 * (`credential` is the header that carries it: the cookie, or an API key's Authorization).
 * Autocannon sends no Accept-Encoding of its own: an `encoding` other than 'identity' is sent as one
 * (autocannon counts the bytes and does not decode them).
 */
export async function load(url: string, credential: string, seconds: number, encoding = 'identity'): Promise<LoadResult> {
  const headers = ['-H', credential, ...(encoding === 'identity' ? [] : ['-H', `accept-encoding=${encoding}`])]
  const { stdout } = await run(process.execPath, [autocannon, '-c', String(connections), '-d', String(seconds), '-j', '-n', ...headers, url],
    { maxBuffer: 16 * 1024 * 1024 })
  const result = JSON.parse(stdout) as AutocannonJson
  if (result.non2xx) throw new Error(`${url}: ${result.non2xx} of ${result.requests.total} answers were not 2xx`)
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average,
    requests: result.requests.total, failed: result.errors + result.timeouts, bytes: result.throughput.total / result.requests.total
  }
}
