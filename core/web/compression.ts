import zlib from 'node:zlib'
import fp from 'fastify-plugin'
import compress from '@fastify/compress'
import type { FastifyReply, onSendHookHandler } from 'fastify'

/**
 * Whether a response was compressed depends on the request's Accept-Encoding even when this one was
 * not (the client sent none, or the body was small), so caches are told so on every response.
 */
function varyOnAcceptEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary')
  if (!vary) reply.header('vary', 'accept-encoding')
  else if (!/accept-encoding/i.test(String(vary))) reply.header('vary', `${String(vary)}, accept-encoding`)
}

const varyOnEncoding: onSendHookHandler = (_request, reply, payload, done) => {
  varyOnAcceptEncoding(reply)
  done(null, payload)
}

const threshold = 1024
const brotliQuality1 = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }

/** The encoding the client weighs highest of br and gzip (br on a tie; a q of 0 refuses one), else none. */
function acceptedEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  const weights = new Map<string, number>()
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((p) => p.trim())
    const q = params.find((p) => p.startsWith('q='))
    if (name) weights.set(name, q ? Number(q.slice(2)) || 0 : 1)
  }
  const weight = (name: string) => weights.get(name) ?? weights.get('*') ?? 0
  const best = (['br', 'gzip'] as const).reduce((a, b) => (weight(b) > weight(a) ? b : a))
  return weight(best) > 0 ? best : undefined
}

/**
 * Fastify's not-found handler is not a route, so the plugin's per-route hooks never see its page:
 * it is compressed here, with the same settings.
 */
const compressNotFound: onSendHookHandler = (request, reply, payload, done) => {
  if (!request.is404 || typeof payload !== 'string' || reply.getHeader('content-encoding')) return done(null, payload)
  varyOnAcceptEncoding(reply)
  const encoding = acceptedEncoding(request.headers['accept-encoding'])
  if (!encoding || Buffer.byteLength(payload) < threshold) return done(null, payload)
  const body = encoding === 'br' ? zlib.brotliCompressSync(payload, brotliQuality1) : zlib.gzipSync(payload, { level: 1 })
  reply.header('content-encoding', encoding).removeHeader('content-length')
  done(null, body)
}

/**
 * Pages and the other responses made per request (fragments, CSV exports) are compressed for
 * clients that accept it. Chosen by measuring the partner pages (3–34 KB of HTML; bench/RESULTS.md,
 * 1 December, "compression off and on"):
 * - brotli at quality 1: the cheapest, 20–55 µs of CPU a page, and 2–9× smaller; quality 4 (the
 *   plugin's default) saves another 11% of bytes — a few hundred a page — for 3.4× the CPU, and
 *   zlib's own default, 11, takes 8–50 ms a page;
 * - gzip, for clients without brotli, at level 1 for the same reason (level 6: 5% smaller, twice
 *   the CPU); deflate is not offered, as every client that sends it accepts gzip too;
 * - nothing under 1 KB: so small a response fits in one TCP segment either way; that covers
 *   redirects and most htmx fragments;
 * - up to 64 KB (every page) in one call on the event loop: handed to zlib's thread pool as a stream,
 *   which the plugin does above 8 KB on two cores, a page cost 200–340 µs of CPU instead of 30–40.
 * Static files are compressed once, ahead of time, and served as they are (core/web/assets.ts), so the
 * routes under /assets/ are left out, in whatever order they are registered. Request bodies are not
 * decompressed: no browser compresses a form, and accepting it would only widen what parsers take in.
 */
export default fp(async (app) => {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/assets/')) route.compress = false
    else route.onSend = [varyOnEncoding, ...[route.onSend ?? []].flat()]
  })
  app.addHook('onSend', compressNotFound)
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold,
    syncThreshold: 64 * 1024,
    brotliOptions: brotliQuality1,
    zlibOptions: { level: 1 },
    globalDecompression: false
  })
}, { name: 'compression' })
