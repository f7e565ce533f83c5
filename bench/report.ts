import { appendFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { LoadResult } from './load.ts'
import type { BenchPage } from './pages.ts'

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
  page: BenchPage
  result: SliceResult
  /** The reference page measured just before and just after this page's group in the same round (their mean). */
  reference: { rps: number; p99: number }
}

/** The targets of issue 18 (and issue 12's for the API list). */
export function shareTarget(page: BenchPage): number {
  if (page.name === '/api/v1/opportunities') return 0.7
  if (page.name === '/portal' || page.name === '/portal/opportunities') return 0.6
  return page.caller === 'staff' ? 0.4 : 0.5
}
const limits = { p99VsReference: 2, growth: 1.2, htmlKilobytes: 20 }

const fixed = (n: number, digits = 1) => n.toFixed(digits)
const kilobytes = (bytes: number) => bytes / 1024
const isHtml = (page: BenchPage) => page.caller !== 'api' && !page.path.endsWith('.csv')

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!
}

const sizesOf = (all: Measurement[]) => [...new Set(all.map((m) => m.size))].sort((a, b) => a - b)
const encodingsOf = (all: Measurement[]) => [...new Set(all.map((m) => m.encoding))]
const pagesOf = (all: Measurement[]) => [...new Map(all.map((m) => [m.page.name, m.page])).values()]

export interface PageVerdict {
  page: BenchPage
  size: number
  encoding: string
  share: number
  p50: number
  p99: number
  p99VsReference: number
  kilobytes: number
  /** Mean latency at this size against the smallest size, when more than one was measured. */
  growth?: number
  failures: string[]
}

/** Per page and size: medians over the rounds of its share of the reference's req/s and its p99 against the reference's. */
export function verdicts(all: Measurement[]): PageVerdict[] {
  const sizes = sizesOf(all)
  const out: PageVerdict[] = []
  for (const encoding of encodingsOf(all)) {
    for (const page of pagesOf(all)) {
      const slicesAt = (size: number) => all.filter((m) => m.size === size && m.encoding === encoding && m.page.name === page.name)
      for (const size of sizes) {
        const slices = slicesAt(size)
        if (slices.length === 0) continue
        const share = median(slices.map((m) => m.result.rps / m.reference.rps))
        const p99VsReference = median(slices.map((m) => m.result.p99 / Math.max(1, m.reference.p99)))
        const smallest = slicesAt(sizes[0]!)
        const growth = size === sizes[0] || smallest.length === 0 ? undefined
          : median(slices.map((m) => m.result.mean)) / median(smallest.map((m) => m.result.mean))
        const kb = kilobytes(median(slices.map((m) => m.result.bytes)))
        const failures = [
          ...(share < shareTarget(page) ? [`share < ${shareTarget(page)}×`] : []),
          ...(p99VsReference > limits.p99VsReference ? [`p99 > ${limits.p99VsReference}× reference`] : []),
          ...(growth !== undefined && growth > limits.growth ? [`growth > ${limits.growth}×`] : []),
          ...(isHtml(page) && kb > limits.htmlKilobytes ? [`over ${limits.htmlKilobytes} kB`] : []),
          ...(slices.some((m) => m.result.failed > 0 || m.result.refused > 0) ? ['errors'] : [])
        ]
        out.push({
          page, size, encoding, share, p99VsReference, growth, failures, kilobytes: kb,
          p50: median(slices.map((m) => m.result.p50)), p99: median(slices.map((m) => m.result.p99))
        })
      }
    }
  }
  return out
}

/** One table: every page at every size, worst share first within each caller. */
export function summary(all: Measurement[]): string {
  const rows = verdicts(all)
  const multiple = encodingsOf(all).length > 1
  const lines = [
    `| page | as | opportunities${multiple ? ' (encoding)' : ''} | share of reference req/s (target) | p50 ms | p99 ms | p99 ÷ reference | kB | mean latency ÷ smallest size | verdict |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|'
  ]
  const order: Record<string, number> = { partner: 0, api: 1, staff: 2 }
  rows.sort((a, b) => order[a.page.caller]! - order[b.page.caller]! || a.page.name.localeCompare(b.page.name) || a.size - b.size)
  for (const v of rows) {
    lines.push(`| ${v.page.path === v.page.name ? v.page.name : `${v.page.name} (${v.page.path})`}${v.page.heavy ? ' ⚖' : ''} | ${v.page.caller} | ` +
      `${v.size.toLocaleString('en')}${multiple ? ` (${v.encoding})` : ''} | ${fixed(v.share, 2)}× (${shareTarget(v.page)}×) | ${v.p50} | ${v.p99} | ` +
      `${fixed(v.p99VsReference, 2)}× | ${fixed(v.kilobytes)} | ${v.growth === undefined ? '' : `×${fixed(v.growth, 2)}`} | ${v.failures.length ? `MISSED: ${v.failures.join(', ')}` : 'met'} |`)
  }
  const missed = rows.filter((v) => v.failures.length)
  lines.push('', `${rows.length - missed.length} of ${rows.length} page measurements meet every target; ⚖ marks a heavy report, loaded with as many connections as its gate lets in.`)
  return lines.join('\n')
}

/** The reference page itself, per size: its medians over the rounds. */
export function referenceLine(all: Measurement[]): string {
  return sizesOf(all).map((size) => {
    const refs = all.filter((m) => m.size === size).map((m) => m.reference)
    return `reference /portal/company at ${size.toLocaleString('en')}: ${fixed(median(refs.map((r) => r.rps)), 0)} req/s, p99 ${median(refs.map((r) => r.p99))} ms`
  }).join('; ')
}

export async function appendResults(all: Measurement[], context: { command: string; code: string; seconds: number; postgres: string; loadAverage: number; missed: string[] }): Promise<void> {
  const cpu = os.cpus()
  const section = [
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — every page`, '',
    `Command: \`${context.command}\` — autocannon -c 50 -d ${context.seconds} per slice (heavy reports at their gate's width), the reference page measured before and after every few pages in each round; code at ${context.code}.`, '',
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, ${context.postgres}; ` +
      `load average ${fixed(context.loadAverage, 1)} when the run began.`, '',
    referenceLine(all), '', summary(all), '',
    ...(context.missed.length ? [`Routes left out (no id in the generated data made them answer 200): ${context.missed.map((r) => `\`${r}\``).join(', ')}.`, ''] : []),
    ''
  ]
  await appendFile(path.join(import.meta.dirname, 'RESULTS.md'), section.join('\n'))
}
