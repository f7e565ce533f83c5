import { execFileSync } from 'node:child_process'
import { appendFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { benchPartner, benchStaff } from './bench-partner.ts'
import { benchUrl, firstValue } from './database.ts'
import { generate } from './generator.ts'
import { connections, load, type LoadResult } from './load.ts'
import { discoverPages, reference, type BenchPage } from './pages.ts'
import { median } from './report.ts'
import { startServer, type RunningServer } from './server.ts'
import { signIn } from './sign-in.ts'

/*
 * The contention bench (issue 18, "a burst of one slow page cannot starve the rest"): a few partner
 * pages measured alone, then again while every heavy staff report is loaded at once with more
 * connections than the heavy-route gate lets in. Each partner page should keep most of its req/s.
 */
const say = (line: string) => process.stdout.write(`${line}\n`)

/** Each partner page keeps at least this share of its req/s alone while the reports run. */
const shareTarget = 0.8
/** The reports start this long before the partner page's slice and end as long after, so the slice is loaded throughout. */
const leadSeconds = 1

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    // Shared out among the reports, each loaded with its part.
    'report-connections': { type: 'string', default: String(connections) },
    'skip-generate': { type: 'boolean', default: false }
  }
})
const sizes = values.sizes.split(',').map(Number)
const [seconds, rounds] = [Number(values.seconds), Number(values.rounds)]

/** A database of its own per size (pp_bench_contention_10000), so that run.ts's are left as they are. */
const urlFor = (size: number) => benchUrl(`contention_${size}`)

const partnerPages: BenchPage[] = [
  reference,
  { name: 'dashboard', path: '/portal', caller: 'partner', heavy: false },
  { name: 'pipeline', path: '/portal/opportunities', caller: 'partner', heavy: false }
]
/** Heavy for a text search only (a function in its route's config, so not marked in the catalog): the page of issue 18 that stopped the portal. */
const searchedList: BenchPage = { name: '/admin/opportunities?q=', path: '/admin/opportunities?q=deal', caller: 'staff', heavy: true }

interface Slice { size: number; round: number; page: BenchPage; alone: LoadResult; contended: LoadResult; reports: Array<[BenchPage, LoadResult]> }

interface Target { size: number; server: RunningServer; partner: string; staff: string; reports: BenchPage[]; width: number }

async function alone(target: Target, page: BenchPage): Promise<LoadResult> {
  const result = await load(target.server.origin + page.path, `cookie=${target.partner}`, seconds)
  await target.server.settle()
  return result
}

async function contended(target: Target, page: BenchPage): Promise<[LoadResult, Array<[BenchPage, LoadResult]>]> {
  const reports = Promise.all(target.reports.map(async (report) => [report,
    await load(target.server.origin + report.path, `cookie=${target.staff}`, seconds + 2 * leadSeconds, 'identity', target.width)] as [BenchPage, LoadResult]))
  await new Promise((resolve) => setTimeout(resolve, leadSeconds * 1000))
  const result = await load(target.server.origin + page.path, `cookie=${target.partner}`, seconds)
  const loaded = await reports
  await target.server.settle()
  return [result, loaded]
}

/** Each round takes the pages in the opposite order to the round before, and a page alone before or after its contended slice by turns. */
async function measure(target: Target): Promise<Slice[]> {
  for (const page of partnerPages) await alone(target, page)
  const slices: Slice[] = []
  for (let round = 1; round <= rounds; round++) {
    const pages = round % 2 ? partnerPages : [...partnerPages].reverse()
    for (const page of pages) {
      const first = round % 2 ? await alone(target, page) : undefined
      const [result, reports] = await contended(target, page)
      const slice = { size: target.size, round, page, alone: first ?? await alone(target, page), contended: result, reports }
      say(`  round ${round} ${target.size.toLocaleString('en').padStart(9)} ${page.name.padEnd(10)} alone ${slice.alone.rps.toFixed(0).padStart(5)} req/s ` +
        `p99 ${slice.alone.p99} ms, with reports ${result.rps.toFixed(0).padStart(5)} req/s p99 ${result.p99} ms (${(result.rps / slice.alone.rps).toFixed(2)}×); ` +
        `reports served ${reports.reduce((n, [, r]) => n + r.requests - r.refused, 0)}, refused ${reports.reduce((n, [, r]) => n + r.refused, 0)}`)
      slices.push(slice)
    }
  }
  return slices
}

function partnerTable(all: Slice[]): string {
  const lines = [
    `| partner page | opportunities | req/s alone | req/s with reports | share kept (target ≥ ${shareTarget}×) | p99 ms alone | p99 ms with reports | verdict |`,
    '|---|---:|---:|---:|---:|---:|---:|---|'
  ]
  for (const size of sizes) {
    for (const page of partnerPages) {
      const slices = all.filter((s) => s.size === size && s.page === page)
      if (slices.length === 0) continue
      const share = median(slices.map((s) => s.contended.rps / s.alone.rps))
      const errors = slices.some((s) => s.alone.failed + s.alone.refused + s.contended.failed + s.contended.refused > 0)
      const failures = [...(share < shareTarget ? [`share < ${shareTarget}×`] : []), ...(errors ? ['errors'] : [])]
      lines.push(`| ${page.name === page.path ? page.path : `${page.name} ${page.path}`} | ${slices[0]!.size.toLocaleString('en')} | ` +
        `${median(slices.map((s) => s.alone.rps)).toFixed(0)} | ${median(slices.map((s) => s.contended.rps)).toFixed(0)} | ${share.toFixed(2)}× | ` +
        `${median(slices.map((s) => s.alone.p99))} | ${median(slices.map((s) => s.contended.p99))} | ${failures.length ? `MISSED: ${failures.join(', ')}` : 'met'} |`)
    }
  }
  return lines.join('\n')
}

/** The reports' requests over every contended slice: served, answered otherwise (503: the gate was full or the statement timed out), or not answered within 10 s. */
function reportTable(all: Slice[]): string {
  const lines = ['| staff report | opportunities | served | answered 503 (busy or timed out) | no answer (10 s) |', '|---|---:|---:|---:|---:|']
  const totals = new Map<string, number[]>()
  for (const slice of all) {
    for (const [report, r] of slice.reports) {
      const key = `${report.path} | ${slice.size.toLocaleString('en')}`
      const [served, refused, failed] = totals.get(key) ?? [0, 0, 0]
      totals.set(key, [served! + r.requests - r.refused, refused! + r.refused, failed! + r.failed])
    }
  }
  for (const [key, counts] of totals) lines.push(`| ${key} | ${counts.join(' | ')} |`)
  return lines.join('\n')
}

if (!values['skip-generate']) for (const size of sizes) await generate(urlFor(size), size)

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
const code = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`
const loadAverage = os.loadavg()[0]!
const all: Slice[] = []
for (const size of sizes) {
  const server = await startServer(urlFor(size))
  try {
    const count = Number(await firstValue(urlFor(size), 'select count(*) from opportunities'))
    const partner = await signIn(server.origin, benchPartner.email, benchPartner.password)
    const staff = await signIn(server.origin, benchStaff.email, benchPartner.password)
    // Only staff pages are asked for, so no API key is needed.
    const found = await discoverPages(server.origin, urlFor(size), { partner: { cookie: partner }, staff: { cookie: staff }, api: {} }, /^\/admin\//)
    const reports = [...found.pages.filter((p) => p.heavy), searchedList]
    const width = Math.ceil(Number(values['report-connections']) / reports.length)
    say(`${count.toLocaleString('en')} opportunities: ${reports.length} heavy staff reports at ${width} connections each, ` +
      `${partnerPages.length} partner pages at ${connections}; target: each partner page keeps ≥ ${shareTarget}× its req/s alone`)
    all.push(...await measure({ size: count, server, partner, staff, reports, width }))
  } finally {
    await server.stop()
  }
}

const tables = `${partnerTable(all)}\n\n${reportTable(all)}`
say(`\n${tables}\n`)
const cpu = os.cpus()
await appendFile(path.join(import.meta.dirname, 'RESULTS.md'), [
  `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — partner pages while the staff reports run`, '',
  `Command: \`${['npm run bench:contention', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')}\` — ` +
    `each partner page at autocannon -c ${connections} -d ${seconds}, alone and while every heavy staff report runs (${values['report-connections']} connections shared among them), ${rounds} rounds (medians); code at ${code}.`, '',
  `Machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, ${(await firstValue(urlFor(sizes[0]!), 'select version()')).split(' on ')[0]!}; ` +
    `load average ${loadAverage.toFixed(1)} when the run began.`, '',
  tables, '', ''
].join('\n'))
say('Appended to bench/RESULTS.md')
