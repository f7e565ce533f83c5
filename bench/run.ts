import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { benchPartner, defaultBenchUrl } from './bench-partner.ts'
import { generate } from './generator.ts'
import { load } from './load.ts'
import { appendResults, compressionCost, pages, summary, verdicts, type Measurement } from './report.ts'
import { startServer, type RunningServer } from './server.ts'
import { issueApiKey, signIn } from './sign-in.ts'

const say = (line: string) => process.stdout.write(`${line}\n`)
const warmUpSeconds = 3

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,1000000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '8' },
    // Each is measured against every size: 'identity' sends no Accept-Encoding, e.g. 'identity,br'.
    'accept-encoding': { type: 'string', default: 'identity' },
    'skip-generate': { type: 'boolean', default: false }
  }
})
const sizes = values.sizes.split(',').map(Number)
const [seconds, rounds] = [Number(values.seconds), Number(values.rounds)]
const encodings = values['accept-encoding'].split(',')

/** One database per size (pp_bench_10000, …), so that the sizes can be measured side by side. */
function urlFor(size: number): string {
  const url = new URL(process.env.DATABASE_URL ?? defaultBenchUrl)
  url.pathname = `${url.pathname}_${size}`
  return url.toString()
}

async function inDatabase(url: string, query: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return String(Object.values((await client.query(query)).rows[0] as object)[0])
  } finally {
    await client.end()
  }
}

interface Target {
  size: number
  encoding: string
  server: RunningServer
  cookie: string
  apiKey: string
}

async function run(target: Target, path: string, duration: number) {
  const before = target.server.cpuMicros()
  const credential = path.startsWith('/api/') ? `authorization=Bearer ${target.apiKey}` : `cookie=${target.cookie}`
  const result = await load(target.server.origin + path, credential, duration, target.encoding)
  await target.server.settle()
  return { ...result, cpu: (target.server.cpuMicros() - before) / result.requests }
}

/**
 * Many short slices instead of a few long ones: each round takes every size and page in turn,
 * in the opposite order to the round before, so the machine's drift (±15% over minutes here)
 * falls on the sizes and pages alike instead of on whichever comes last; the report takes medians.
 */
async function measure(targets: Target[]): Promise<Measurement[]> {
  for (const target of targets) for (const page of pages) await run(target, page.path, warmUpSeconds)
  const measured: Measurement[] = []
  for (let round = 1; round <= rounds; round++) {
    const inOrder = <T>(items: readonly T[]) => (round % 2 ? [...items] : [...items].reverse())
    for (const target of inOrder(targets)) {
      for (const page of inOrder(pages)) {
        const result = await run(target, page.path, seconds)
        say(`  round ${round} ${target.size.toLocaleString('en').padStart(9)} ${target.encoding.padEnd(8)} ${page.name.padEnd(9)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  ${(result.bytes / 1024).toFixed(1)} KB  ${result.cpu.toFixed(0)} µs CPU`)
        measured.push({ size: target.size, encoding: target.encoding, round, page: page.name, result })
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
  for (const size of sizes) {
    const server = await startServer(urlFor(size))
    servers.push(server)
    const count = Number(await inDatabase(urlFor(size), 'select count(*) from opportunities'))
    const cookie = await signIn(server.origin, benchPartner.email, benchPartner.password)
    const apiKey = await issueApiKey(server.origin, cookie)
    for (const encoding of encodings) targets.push({ size: count, encoding, server, cookie, apiKey })
  }
  say(`Measuring ${[...new Set(targets.map((t) => t.size.toLocaleString('en')))].join(' and ')} opportunities, Accept-Encoding ${encodings.join(' and ')}`)
  const all = await measure(targets)
  say(`\n${summary(all)}\n\n${verdicts(all)}\n\n${compressionCost(all)}\n`)
  await appendResults(all, {
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    code, seconds, loadAverage, postgres: (await inDatabase(urlFor(sizes[0]!), 'select version()')).split(' on ')[0]!
  })
  say('Appended to bench/RESULTS.md')
} finally {
  for (const server of servers) await server.stop()
}
