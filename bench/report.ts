import { appendFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { LoadResult } from './load.ts'

export const pages = [
  { name: 'reference', path: '/portal/company' },
  { name: 'dashboard', path: '/portal' },
  { name: 'pipeline', path: '/portal/opportunities' },
  // The JSON API's first page of the same pipeline (50 items), called with an API key (issue 12).
  { name: 'api', path: '/api/v1/opportunities' }
] as const
export type PageName = (typeof pages)[number]['name']

/** A slice as measured: autocannon's figures and the server's CPU. */
export interface SliceResult extends LoadResult {
  /** µs of the server process's CPU a request: less disturbed than req/s by other work on the machine. */
  cpu: number
}

export interface Measurement {
  size: number
  /** The Accept-Encoding sent ('identity': none). */
  encoding: string
  round: number
  page: PageName
  result: SliceResult
}

const targets = { dashboardShare: 0.5, p99Ms: 50, growth: 1.2, apiShare: 0.7 }
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
const fixed = (n: number, digits = 1) => n.toFixed(digits)
const find = (all: Measurement[], size: number, encoding: string, round: number, page: PageName) =>
  all.find((m) => m.size === size && m.encoding === encoding && m.round === round && m.page === page)!.result

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!
}

/** The median over the rounds, with the range it came from. */
function spread(values: number[], digits: number, unit = ''): string {
  const range = `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`
  return `${fixed(median(values), digits)}${unit} (${range})`
}

const sizesOf = (all: Measurement[]) => [...new Set(all.map((m) => m.size))].sort((a, b) => a - b)
const roundsOf = (all: Measurement[]) => [...new Set(all.map((m) => m.round))]
const encodingsOf = (all: Measurement[]) => [...new Set(all.map((m) => m.encoding))]
/** A size, and the encoding too when the run measured several. */
const label = (all: Measurement[], size: number, encoding: string) =>
  `${size.toLocaleString('en')}${encodingsOf(all).length > 1 ? ` (${encoding})` : ''}`
const kilobytes = (bytes: number) => fixed(bytes / 1024)

/** Per size (and encoding) and page: medians over the rounds, and the per-round share of the reference's req/s. */
export function summary(all: Measurement[]): string {
  const lines = ['| Opportunities | Page | req/s | p50 ms | p99 ms | mean ms | KB a response | server CPU µs a request | req/s vs reference, per round | errors |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|']
  for (const size of sizesOf(all)) {
    for (const encoding of encodingsOf(all)) {
      for (const page of pages) {
        const slices = roundsOf(all).map((round) => ({ result: find(all, size, encoding, round, page.name), reference: find(all, size, encoding, round, 'reference') }))
        const of = (pick: (r: SliceResult) => number) => median(slices.map((s) => pick(s.result)))
        lines.push(`| ${label(all, size, encoding)} | ${page.name} ${page.path} | ${fixed(of((r) => r.rps), 0)} | ${of((r) => r.p50)} | ${of((r) => r.p99)} | ` +
          `${fixed(of((r) => r.mean), 2)} | ${kilobytes(of((r) => r.bytes))} | ${fixed(of((r) => r.cpu), 0)} | ${spread(slices.map((s) => s.result.rps / s.reference.rps), 2, '×')} | ${slices.reduce((n, s) => n + s.result.failed, 0)} |`)
      }
    }
  }
  return lines.join('\n')
}

/** Every slice as measured. */
export function table(all: Measurement[]): string {
  const lines = ['| Round | Opportunities | Page | req/s | p50 ms | p99 ms | mean ms | KB a response | server CPU µs a request | errors |', '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|']
  for (const m of [...all].sort((a, b) => a.round - b.round || a.size - b.size)) {
    lines.push(`| ${m.round} | ${label(all, m.size, m.encoding)} | ${m.page} | ${fixed(m.result.rps, 0)} | ${m.result.p50} | ${m.result.p99} | ${fixed(m.result.mean, 2)} | ${kilobytes(m.result.bytes)} | ${fixed(m.result.cpu, 0)} | ${m.result.failed} |`)
  }
  return lines.join('\n')
}

/** The issue's targets, judged on the medians over the rounds; how many rounds met each is shown too. */
export function verdicts(all: Measurement[]): string {
  const sizes = sizesOf(all)
  const rounds = roundsOf(all)
  const count = (flags: boolean[]) => `${flags.filter(Boolean).length} of ${flags.length} rounds`
  const lines: string[] = []
  for (const encoding of encodingsOf(all)) {
    for (const size of sizes) {
      const shares = rounds.map((round) => find(all, size, encoding, round, 'dashboard').rps / find(all, size, encoding, round, 'reference').rps)
      const p99s = rounds.map((round) => find(all, size, encoding, round, 'dashboard').p99)
      lines.push(`- ${label(all, size, encoding)}: dashboard at ${spread(shares, 2, '×')} the reference's req/s ` +
        `(≥ ${targets.dashboardShare}×: ${mark(median(shares) >= targets.dashboardShare)}; ${count(shares.map((s) => s >= targets.dashboardShare))}), ` +
        `p99 ${spread(p99s, 0, ' ms')} (< ${targets.p99Ms} ms: ${mark(median(p99s) < targets.p99Ms)}; ${count(p99s.map((p) => p < targets.p99Ms))})`)
    }
    for (const size of sizes) {
      const shares = rounds.map((round) => find(all, size, encoding, round, 'api').rps / find(all, size, encoding, round, 'reference').rps)
      lines.push(`- ${label(all, size, encoding)}: GET /api/v1/opportunities at ${spread(shares, 2, '×')} the reference's req/s ` +
        `(≥ ${targets.apiShare}×: ${mark(median(shares) >= targets.apiShare)}; ${count(shares.map((s) => s >= targets.apiShare))})`)
    }
    const [small, large] = [sizes[0]!, sizes.at(-1)!]
    if (small === large) continue
    const growth = rounds.map((round) => find(all, large, encoding, round, 'dashboard').mean / find(all, small, encoding, round, 'dashboard').mean)
    lines.push(`- dashboard mean latency from ${small.toLocaleString('en')} to ${label(all, large, encoding)}: ×${spread(growth, 2)} ` +
      `(≤ ${targets.growth}×: ${mark(median(growth) <= targets.growth)}; ${count(growth.map((g) => g <= targets.growth))})`)
  }
  return lines.join('\n')
}

/** What compression costs each page: its req/s and latency with an encoding against without one, within each round. */
export function compressionCost(all: Measurement[]): string {
  const encodings = encodingsOf(all).filter((e) => e !== 'identity')
  if (encodings.length === 0 || !encodingsOf(all).includes('identity')) return ''
  const lines: string[] = []
  for (const size of sizesOf(all)) {
    for (const encoding of encodings) {
      for (const page of pages) {
        const slices = roundsOf(all).map((round) => ({ on: find(all, size, encoding, round, page.name), off: find(all, size, 'identity', round, page.name) }))
        const ratio = (pick: (r: SliceResult) => number) => slices.map((s) => pick(s.on) / pick(s.off))
        const bytes = (pick: (s: (typeof slices)[number]) => SliceResult) => kilobytes(median(slices.map((s) => pick(s).bytes)))
        lines.push(`- ${size.toLocaleString('en')}, ${page.name}: with ${encoding} at ${spread(ratio((r) => r.rps), 2, '×')} the req/s without, ` +
          `mean latency ×${spread(ratio((r) => r.mean), 2)}, server CPU a request ×${spread(ratio((r) => r.cpu), 2)}; ` +
          `${bytes((s) => s.on)} KB a response against ${bytes((s) => s.off)} KB`)
      }
    }
  }
  return lines.join('\n')
}

export async function appendResults(all: Measurement[], context: { command: string; code: string; seconds: number; postgres: string; loadAverage: number }): Promise<void> {
  const cpu = os.cpus()
  const section = [
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`, '',
    `Command: \`${context.command}\` — autocannon -c 50 -d ${context.seconds} per slice, one slice per size, ${encodingsOf(all).length > 1 ? 'Accept-Encoding, ' : ''}page and round; code at ${context.code}.`, '',
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, ${context.postgres}; ` +
      `load average ${fixed(context.loadAverage, 1)} when the run began (other jobs share the machine).`, '',
    summary(all), '', verdicts(all), '', ...(compressionCost(all) ? [compressionCost(all), ''] : []), '<details><summary>Every slice</summary>', '', table(all), '', '</details>', '', ''
  ]
  await appendFile(path.join(import.meta.dirname, 'RESULTS.md'), section.join('\n'))
}
