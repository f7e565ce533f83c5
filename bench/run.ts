import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { benchPartner, benchStaff } from './bench-partner.ts'
import { benchUrl, firstValue } from './database.ts'
import { generate } from './generator.ts'
import { load } from './load.ts'
import { discoverPages, reference, type BenchPage, type Credentials } from './pages.ts'
import { appendResults, referenceLine, summary, type Measurement, type SliceResult } from './report.ts'
import { startServer, type RunningServer } from './server.ts'
import { issueApiKey, signIn } from './sign-in.ts'

const say = (line: string) => process.stdout.write(`${line}\n`)
const warmUpSeconds = 1
/** The reference page is measured again after this many pages, so each page has one close by. */
const groupSize = 3
/** The heavy-route gate's width (HEAVY_PAGES_AT_ONCE's default): a heavy report is loaded with this many connections. */
const heavyWidth = 2

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,1000000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    // A regular expression on the route pattern: only the pages it matches are measured.
    pages: { type: 'string' },
    // Each is measured against every size: 'identity' sends no Accept-Encoding, e.g. 'identity,br'.
    'accept-encoding': { type: 'string', default: 'identity' },
    'skip-generate': { type: 'boolean', default: false }
  }
})
const sizes = values.sizes.split(',').map(Number)
const [seconds, rounds] = [Number(values.seconds), Number(values.rounds)]
const encodings = values['accept-encoding'].split(',')

/** One database per size (pp_bench_10000, …), so that the sizes can be measured side by side. */
const urlFor = (size: number) => benchUrl(String(size))

interface Target {
  size: number
  encoding: string
  server: RunningServer
  credentials: Credentials
  pages: BenchPage[]
}

async function run(target: Target, page: BenchPage, duration: number): Promise<SliceResult> {
  const before = target.server.cpuMicros()
  const [name, value] = Object.entries(target.credentials[page.caller])[0]!
  const result = await load(target.server.origin + page.path, `${name}=${value}`, duration, target.encoding, page.heavy ? heavyWidth : undefined)
  await target.server.settle()
  return { ...result, cpu: (target.server.cpuMicros() - before) / Math.max(1, result.requests) }
}

/**
 * Each round takes every size and page in turn, in the opposite order to the round before, with
 * the reference page measured again after every few pages: each page is judged against the
 * reference slices just before and after it, so the machine's drift falls on both alike.
 */
async function measure(targets: Target[]): Promise<Measurement[]> {
  for (const target of targets) for (const page of [reference, ...target.pages]) await run(target, page, warmUpSeconds)
  const measured: Measurement[] = []
  for (let round = 1; round <= rounds; round++) {
    const inOrder = <T>(items: readonly T[]) => (round % 2 ? [...items] : [...items].reverse())
    for (const target of inOrder(targets)) {
      let before = await run(target, reference, seconds)
      const pages = inOrder(target.pages)
      for (let i = 0; i < pages.length; i += groupSize) {
        const group: Array<[BenchPage, SliceResult]> = []
        for (const page of pages.slice(i, i + groupSize)) group.push([page, await run(target, page, seconds)])
        const after = await run(target, reference, seconds)
        const ref = { rps: (before.rps + after.rps) / 2, p99: (before.p99 + after.p99) / 2 }
        for (const [page, result] of group) {
          say(`  round ${round} ${target.size.toLocaleString('en').padStart(9)} ${page.name.padEnd(48)} ${(result.rps / ref.rps).toFixed(2)}×  ` +
            `${result.rps.toFixed(0).padStart(6)} req/s  p99 ${result.p99} ms  ${(result.bytes / 1024).toFixed(1)} KB${result.refused ? `  ${result.refused} refused` : ''}`)
          measured.push({ size: target.size, encoding: target.encoding, round, page, result, reference: ref })
        }
        before = after
      }
    }
  }
  return measured
}

if (!values['skip-generate']) for (const size of sizes) await generate(urlFor(size), size)

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
const code = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`
const loadAverage = os.loadavg()[0]!
const servers: RunningServer[] = []
try {
  const targets: Target[] = []
  const only = values.pages ? new RegExp(values.pages) : undefined
  const missed = new Set<string>()
  for (const size of sizes) {
    const server = await startServer(urlFor(size))
    servers.push(server)
    const count = Number(await firstValue(urlFor(size), 'select count(*) from opportunities'))
    const partner = await signIn(server.origin, benchPartner.email, benchPartner.password)
    const credentials: Credentials = {
      partner: { cookie: partner },
      api: { authorization: `Bearer ${await issueApiKey(server.origin, partner)}` },
      staff: { cookie: await signIn(server.origin, benchStaff.email, benchPartner.password) }
    }
    const found = await discoverPages(server.origin, urlFor(size), credentials, only)
    for (const route of found.missed) missed.add(route)
    say(`${count.toLocaleString('en')} opportunities: ${found.pages.length} pages${found.missed.length ? `; no id answered 200 for ${found.missed.join(', ')}` : ''}`)
    for (const encoding of encodings) targets.push({ size: count, encoding, server, credentials, pages: found.pages })
  }
  const all = await measure(targets)
  say(`\n${referenceLine(all)}\n\n${summary(all)}\n`)
  await appendResults(all, {
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    code, seconds, loadAverage, missed: [...missed], postgres: (await firstValue(urlFor(sizes[0]!), 'select version()')).split(' on ')[0]!
  })
  say('Appended to bench/RESULTS.md')
} finally {
  for (const server of servers) await server.stop()
}
