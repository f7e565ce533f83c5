import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import t from 'tap'
import { buildTestApp } from '../helper.ts'

const file = (relative: string) => readFileSync(path.resolve(import.meta.dirname, '../..', relative))

t.test('static files go out pre-compressed, brotli or gzip as the client accepts, the same bytes once decompressed', async (t) => {
  const { app } = await buildTestApp(t)
  const { css, htmx } = app.views.layoutAssets
  for (const [url, source] of [[css, file('views/static/app.css')], [htmx, file('node_modules/htmx.org/dist/htmx.min.js')]] as const) {
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } })
    t.equal(br.statusCode, 200, url)
    t.equal(br.headers['content-encoding'], 'br', `${url}: brotli when accepted`)
    t.match(br.headers['content-type'], url.includes('.css') ? /^text\/css/ : /javascript/, 'the type of the file, not of its copy')
    t.match(br.headers.vary, /accept-encoding/i)
    t.match(br.headers['cache-control'], /max-age=31536000.*immutable/)
    t.ok(br.rawPayload.length < source.length / 2, `${url}: ${br.rawPayload.length} bytes instead of ${source.length}`)
    t.ok(zlib.brotliDecompressSync(br.rawPayload).equals(source), `${url}: the file itself once decompressed`)

    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
    t.equal(gz.headers['content-encoding'], 'gzip', `${url}: gzip for a client without brotli`)
    t.ok(zlib.gunzipSync(gz.rawPayload).equals(source))

    const plain = await app.inject({ url })
    t.equal(plain.headers['content-encoding'], undefined, `${url}: as it is for a client that accepts neither`)
    t.ok(plain.rawPayload.equals(source))
  }
  t.match(css, /^\/assets\/app\.css\?v=[0-9a-f]{10}$/)
})

t.test('the compressed copies are made once, at start-up, and reused by the next start', async (t) => {
  const { app } = await buildTestApp(t)
  const core = app.views.assets.folders[0]!
  const cache = await app.views.assets.compressed(core)
  const made = readFileSync(path.join(cache, 'app.css.br'))
  const served = await app.inject({ url: app.views.layoutAssets.css, headers: { 'accept-encoding': 'br' } })
  t.ok(served.rawPayload.equals(made), 'what is served is the copy made at start-up, not compressed per request')

  const { app: next } = await buildTestApp(t)
  t.equal(await next.views.assets.compressed(next.views.assets.folders[0]!), cache, 'the same folder, since the content is the same')
})

t.test('making a new copy removes the copies of earlier content, once they are a day old, and nothing of another folder', async (t) => {
  const { app } = await buildTestApp(t)
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'pp-assets-'))
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }))
  const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000)
  const planted = { old: 'core-aaaaaaaaaaaaaaaa', recent: 'core-bbbbbbbbbbbbbbbb', otherFeature: 'core-notes-cccccccccccccccc' }
  for (const name of Object.values(planted)) mkdirSync(path.join(cacheDir, name))
  for (const name of [planted.old, planted.otherFeature]) utimesSync(path.join(cacheDir, name), twoDaysAgo, twoDaysAgo)

  const made = await app.views.assets.compressed(app.views.assets.folders[0]!, cacheDir)
  t.same(readdirSync(cacheDir).sort(), [path.basename(made), planted.recent, planted.otherFeature].sort())
})

