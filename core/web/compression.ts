import zlib from 'node:zlib'
import fp from 'fastify-plugin'
import compress from '@fastify/compress'
import type { onSendHookHandler } from 'fastify'

/**
 * Whether a response was compressed depends on the request's Accept-Encoding even when this one was
 * not (the client sent none, or the body was small), so caches are told so on every response.
 */
const varyOnEncoding: onSendHookHandler = (_request, reply, payload, done) => {
  const vary = reply.getHeader('vary')
  if (!vary) reply.header('vary', 'accept-encoding')
  else if (!/accept-encoding/i.test(String(vary))) reply.header('vary', `${String(vary)}, accept-encoding`)
  done(null, payload)
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
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    syncThreshold: 64 * 1024,
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
    zlibOptions: { level: 1 },
    globalDecompression: false
  })
}, { name: 'compression' })
