import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/** What a receiver answered: its status, how long it took and the start of its body (never more). */
export interface Answer { status: number; durationMs: number; excerpt: string }

export class RefusedAddress extends Error {
  override readonly name = 'RefusedAddress'
}

const excerptLength = 500

/** Public unicast only: private, loopback, link-local, CGNAT, multicast, reserved and the IPv6 tunnels to them are not. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  return ipaddr.process(address).range() === 'unicast'
}

/** Resolves the host as the connection will, and refuses it if any address it has is not public (so DNS cannot point us inwards). */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const refused = addresses.find((a) => !isPublicAddress(a.address))
    if (refused) return callback(new RefusedAddress(`${hostname} resolves to ${refused.address}, which is not a public address`), '', 0)
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
    callback(null, addresses[0]!.address, addresses[0]!.family)
  })
}

/**
 * Checks a webhook URL: https (http too when private addresses are allowed), and a host that is
 * not a private address literal. Names are checked again, resolved, at every delivery.
 */
export function urlProblem(url: string, allowPrivate: boolean): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'Enter a full address, e.g. https://example.com/portal-events.'
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:')) return 'The address must start with https://.'
  if (parsed.username || parsed.password) return 'Leave user names and passwords out of the address; check the signature instead.'
  const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '')
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && !isPublicAddress(host)))) {
    return 'The address must be reachable on the internet: private, loopback and link-local addresses are not called.'
  }
  return null
}

/** POSTs the body to a receiver, within `timeoutMs` in all, and reads at most the start of its answer. */
export function postJson(url: string, body: string, headers: Record<string, string>, options: { allowPrivate: boolean; timeoutMs: number }): Promise<Answer> {
  const problem = urlProblem(url, options.allowPrivate)
  if (problem) return Promise.reject(new RefusedAddress(problem))
  const target = new URL(url)
  const started = performance.now()
  return new Promise<Answer>((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'PartnerPortal-Webhooks/1', ...headers },
      lookup: options.allowPrivate ? undefined : publicLookup,
      signal: AbortSignal.timeout(options.timeoutMs)
    }, (response) => {
      let excerpt = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        excerpt += chunk
        if (excerpt.length >= excerptLength) response.destroy()
      })
      const done = () => resolve({ status: response.statusCode ?? 0, durationMs: Math.round(performance.now() - started), excerpt: excerpt.slice(0, excerptLength) })
      response.on('end', done)
      response.on('close', done)
      response.on('error', done)
    })
    request.on('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer within ${options.timeoutMs / 1000} s`) : err))
    request.end(body)
  })
}
