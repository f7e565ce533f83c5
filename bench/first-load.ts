import http from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { parseArgs } from 'node:util'
import { benchPartner, defaultBenchUrl } from './bench-partner.ts'
import { startServer } from './server.ts'
import { signIn } from './sign-in.ts'

// tsx bench/first-load.ts [--database postgres://…/pp_bench_10000]   (a database `npm run bench` generated)
const { values } = parseArgs({ options: { database: { type: 'string', default: `${defaultBenchUrl}_10000` } } })

/** One response as sent: status line, headers and body, which is compressed if `encoding` says so. */
interface Transfer {
  path: string
  headerBytes: number
  body: Buffer
  encoding: string
}

const browserEncodings = 'gzip, deflate, br'

/** Fetched as a browser does (Node's http decodes nothing, so the bytes are counted as sent). */
function get(origin: string, path: string, cookie: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    http.get(origin + path, { headers: { cookie, 'accept-encoding': browserEncodings } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk)).on('error', reject).on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path} answered ${res.statusCode}`))
        // Each name is followed by ": " and each value by CRLF; a blank line ends them.
        const headers = res.rawHeaders.reduce((n, item) => n + item.length + 2, 0) + 2
        const statusLine = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length
        resolve({ path, headerBytes: statusLine + headers, body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] ?? 'identity' })
      })
    }).on('error', reject)
  })
}

const text = ({ body, encoding }: Transfer) =>
  (encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8')
const size = (t: Transfer) => t.headerBytes + t.body.length

const assetsOf = (page: string) => [...page.matchAll(/<(?:link rel="(?:stylesheet|icon)" href|script src)="([^"]+)"/g)].map((m) => m[1]!)
const firstLink = (page: string, pattern: RegExp) => pattern.exec(page)?.[1]

const server = await startServer(values.database)
try {
  const cookie = await signIn(server.origin, benchPartner.email, benchPartner.password)
  const paths = ['/portal', '/portal/company', '/portal/company/edit', '/portal/team', '/portal/team/invite', '/portal/opportunities',
    '/portal/opportunities/board', '/portal/opportunities/offers', '/portal/customers', '/portal/customers/new', '/portal/customers/contacts',
    '/portal/customers/contacts/new', '/portal/customers/import']
  const page = async (path: string) => text(await get(server.origin, path, cookie))
  const opportunity = firstLink(await page('/portal/opportunities'), /href="(\/portal\/opportunities\/[0-9a-f-]{36})"/)
  const account = firstLink(await page('/portal/customers'), /href="(\/portal\/customers\/[0-9a-f-]{36})"/)
  const member = firstLink(await page('/portal/team'), /href="(\/portal\/team\/[0-9a-f-]{36})"/)
  for (const record of [opportunity, account]) if (record) paths.push(record, `${record}/edit`)
  if (member) paths.push(member)

  const kb = (bytes: number) => (bytes / 1000).toFixed(1)
  const rows: Array<{ path: string; html: Transfer; assets: Transfer[]; total: number }> = []
  for (const path of paths) {
    const html = await get(server.origin, path, cookie)
    const assets = await Promise.all(assetsOf(text(html)).map((asset) => get(server.origin, asset, cookie)))
    rows.push({ path: path.replace(/[0-9a-f-]{36}/, ':id'), html, assets, total: [html, ...assets].reduce((n, t) => n + size(t), 0) })
  }
  rows.sort((a, b) => b.total - a.total)
  process.stdout.write(`Accept-Encoding: ${browserEncodings}; kB = 1,000 bytes; headers included\n\n`)
  process.stdout.write('| page | HTML kB (encoding) | assets kB | first load kB |\n|---|---:|---:|---:|\n')
  for (const { path, html, total } of rows) {
    process.stdout.write(`| ${path} | ${kb(size(html))} (${html.encoding}) | ${kb(total - size(html))} | ${kb(total)} |\n`)
  }
  process.stdout.write(`\nAssets of the heaviest, ${rows[0]!.path}:\n`)
  for (const asset of rows[0]!.assets) {
    process.stdout.write(`- ${asset.path}: ${kb(size(asset))} kB (${asset.encoding}; body ${kb(asset.body.length)} kB)\n`)
  }
} finally {
  await server.stop()
}
