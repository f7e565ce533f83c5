import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import t from 'tap'
import { parse } from 'csv-parse/sync'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../helper.ts'
import { partnerWithCustomer, registrationForm } from '../fixtures/opportunities.ts'

const decoded = (res: LightMyRequestResponse): string => {
  const encoding = res.headers['content-encoding']
  if (encoding === 'br') return brotliDecompressSync(res.rawPayload).toString('utf8')
  if (encoding === 'gzip') return gunzipSync(res.rawPayload).toString('utf8')
  return res.body
}
/** The page without its CSRF tokens, which are minted anew for every response. */
const withoutTokens = (html: string) => html.replace(/(x-csrf-token&quot;:&quot;|name="_csrf" value=")[^&"]+/g, '$1…')

t.test('a page comes back in the encoding the client accepts, brotli first, and decodes to the same page', async (t) => {
  const { app } = await buildTestApp(t)
  const { agent } = await partnerWithCustomer(app)
  const plain = await agent.get('/portal')
  t.equal(plain.statusCode, 200)
  t.notOk(plain.headers['content-encoding'], 'no Accept-Encoding: the page as it is')
  t.ok(plain.rawPayload.length > 1024, 'the page is large enough to be compressed')

  for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['br;q=0.5, gzip', 'gzip'], ['deflate', undefined], ['identity', undefined]] as const) {
    const res = await agent.get('/portal', { 'accept-encoding': accept })
    t.equal(res.headers['content-encoding'], encoding, `Accept-Encoding: ${accept}`)
    t.match(res.headers.vary, /accept-encoding/i, `Accept-Encoding: ${accept}: Vary names it`)
    t.match(res.headers.vary, /HX-Request/, 'and still the htmx header')
    t.equal(withoutTokens(decoded(res)), withoutTokens(plain.body), `Accept-Encoding: ${accept}: the same page`)
    if (encoding) t.ok(res.rawPayload.length < plain.rawPayload.length / 2, `${encoding}: ${res.rawPayload.length} bytes for ${plain.rawPayload.length}`)
  }
})

t.test('the not-found page is compressed too, in the encoding the client weighs highest', async (t) => {
  const { app } = await buildTestApp(t)
  const plain = await app.inject('/no-such-page')
  t.equal(plain.statusCode, 404)
  t.ok(plain.rawPayload.length > 1024, 'large enough to be compressed')
  for (const [accept, encoding] of [['br, gzip', 'br'], ['gzip', 'gzip'], ['br;q=0.5, gzip', 'gzip'], ['br;q=0, *', 'gzip'], ['identity', undefined], ['', undefined]] as const) {
    const res = await app.inject({ url: '/no-such-page', headers: { 'accept-encoding': accept } })
    t.equal(res.statusCode, 404)
    t.equal(res.headers['content-encoding'], encoding, `Accept-Encoding: ${accept}`)
    t.match(res.headers.vary, /accept-encoding/i)
    t.equal(withoutTokens(decoded(res)), withoutTokens(plain.body), `Accept-Encoding: ${accept}: the same page`)
  }
})

t.test('small responses, redirects and static files are sent as they are', async (t) => {
  const { app } = await buildTestApp(t)
  // Registered after the compression plugin, as a feature's assets are: the /assets/ prefix decides.
  app.get('/assets/compression-probe.css', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/css').send('a { color: red }\n'.repeat(200)))
  const { agent } = await partnerWithCustomer(app)
  const br = { 'accept-encoding': 'br, gzip' }

  const health = await agent.get('/healthz', br)
  t.equal(health.statusCode, 200)
  t.notOk(health.headers['content-encoding'], 'a tiny response')
  t.same(health.json(), { status: 'ok' })

  const signOut = await agent.post('/signout', {}, { headers: br })
  t.equal(signOut.statusCode, 303)
  t.notOk(signOut.headers['content-encoding'], 'a redirect')

  const asset = await agent.get('/assets/compression-probe.css', br)
  t.equal(asset.statusCode, 200)
  t.notOk(asset.headers['content-encoding'], 'a static file is not compressed per request')
  t.equal(asset.body.length, 3400)
})

t.test('a CSV export streams compressed and decodes to the same rows', async (t) => {
  const { app } = await buildTestApp(t)
  const { accountId, agent } = await partnerWithCustomer(app)
  for (let i = 0; i < 40; i++) await agent.post('/portal/opportunities', registrationForm(accountId, { name: `Deal ${i}` }))
  const plain = await agent.get('/portal/opportunities/export.csv')
  const rows = parse(plain.body, { columns: true }) as Array<Record<string, string>>
  t.equal(rows.length, 40)

  for (const encoding of ['br', 'gzip']) {
    const res = await agent.get('/portal/opportunities/export.csv', { 'accept-encoding': encoding })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-encoding'], encoding)
    t.match(res.headers['content-type'], /^text\/csv/)
    t.match(res.headers['content-disposition'], /^attachment; filename="opportunities-/)
    t.ok(res.rawPayload.length < plain.rawPayload.length / 3, `${encoding}: ${res.rawPayload.length} bytes for ${plain.rawPayload.length}`)
    t.same(parse(decoded(res), { columns: true }), rows, `${encoding}: the same rows`)
  }
})
