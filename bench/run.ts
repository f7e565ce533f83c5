import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { benchPartner, defaultBenchUrl } from './bench-partner.ts'
import { generate } from './generator.ts'
import { load } from './load.ts'
import { appendResults, pages, table, verdicts, type Measurement } from './report.ts'
import { startServer } from './server.ts'
import { signIn } from './sign-in.ts'

const say = (line: string) => process.stdout.write(`${line}\n`)
const warmUpSeconds = 3

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,1000000' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    'skip-generate': { type: 'boolean', default: false }
  }
})
const url = process.env.DATABASE_URL ?? defaultBenchUrl
const sizes = values['skip-generate'] ? [0] : values.sizes.split(',').map(Number)
const [seconds, rounds] = [Number(values.seconds), Number(values.rounds)]

async function inDatabase(query: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return String(Object.values((await client.query(query)).rows[0] as object)[0])
  } finally {
    await client.end()
  }
}

/** Rounds alternate the pages, so a change in the machine's load falls on all three alike. */
async function measure(size: number): Promise<Measurement[]> {
  const server = await startServer(url)
  try {
    const cookie = await signIn(server.origin, benchPartner.email, benchPartner.password)
    for (const page of pages) {
      await load(server.origin + page.path, cookie, warmUpSeconds)
      await server.settle()
    }
    const measured: Measurement[] = []
    for (let round = 1; round <= rounds; round++) {
      for (const page of pages) {
        const result = await load(server.origin + page.path, cookie, seconds)
        await server.settle()
        say(`  round ${round} ${page.name.padEnd(9)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms`)
        measured.push({ size, round, page: page.name, result })
      }
    }
    return measured
  } finally {
    await server.stop()
  }
}

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
/** The code each size's server ran: others may commit while a run takes its minutes. */
const codeNow = () => `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`
const codes: string[] = []
const loadAverage = os.loadavg()[0]!
const all: Measurement[] = []
for (const wanted of sizes) {
  if (wanted) await generate(url, wanted)
  const size = Number(await inDatabase('select count(*) from opportunities'))
  say(`Measuring with ${size.toLocaleString('en')} opportunities`)
  codes.push(`${codeNow()} for ${size.toLocaleString('en')}`)
  all.push(...await measure(size))
}
say(`\n${table(all)}\n\n${verdicts(all)}\n`)
await appendResults(all, {
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  code: codes.join(', '), seconds, loadAverage, postgres: (await inDatabase('select version()')).split(' on ')[0]!
})
say('Appended to bench/RESULTS.md')
