import { appendFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { LoadResult } from './load.ts'

export const pages = [
  { name: 'reference', path: '/portal/company' },
  { name: 'dashboard', path: '/portal' },
  { name: 'pipeline', path: '/portal/opportunities' }
] as const
export type PageName = (typeof pages)[number]['name']

export interface Measurement {
  size: number
  round: number
  page: PageName
  result: LoadResult
}

const targets = { dashboardShare: 0.5, p99Ms: 50, growth: 1.2 }
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
const fixed = (n: number, digits = 1) => n.toFixed(digits)
const find = (all: Measurement[], size: number, round: number, page: PageName) =>
  all.find((m) => m.size === size && m.round === round && m.page === page)!.result

export function table(all: Measurement[]): string {
  const lines = ['| Opportunities | Round | Page | req/s | p50 ms | p99 ms | mean ms | req/s vs reference | errors |', '|---:|---:|---|---:|---:|---:|---:|---:|---:|']
  for (const m of all) {
    const reference = find(all, m.size, m.round, 'reference')
    lines.push(`| ${m.size.toLocaleString('en')} | ${m.round} | ${m.page} ${pages.find((p) => p.name === m.page)!.path} | ${fixed(m.result.rps, 0)} | ` +
      `${m.result.p50} | ${m.result.p99} | ${fixed(m.result.mean, 2)} | ${fixed(m.result.rps / reference.rps, 2)}× | ${m.result.failed} |`)
  }
  return lines.join('\n')
}

/** The targets per size and round, and the dashboard's growth from the smallest size to the largest. */
export function verdicts(all: Measurement[]): string {
  const sizes = [...new Set(all.map((m) => m.size))].sort((a, b) => a - b)
  const rounds = [...new Set(all.map((m) => m.round))]
  const lines: string[] = []
  for (const size of sizes) {
    for (const round of rounds) {
      const dashboard = find(all, size, round, 'dashboard')
      const share = dashboard.rps / find(all, size, round, 'reference').rps
      lines.push(`- ${size.toLocaleString('en')}, round ${round}: dashboard at ${fixed(share, 2)}× the reference's req/s ` +
        `(≥ ${targets.dashboardShare}×: ${mark(share >= targets.dashboardShare)}), p99 ${dashboard.p99} ms (< ${targets.p99Ms} ms: ${mark(dashboard.p99 < targets.p99Ms)})`)
    }
  }
  const [small, large] = [sizes[0]!, sizes.at(-1)!]
  if (small === large) return lines.join('\n')
  for (const round of rounds) {
    const [before, after] = [find(all, small, round, 'dashboard'), find(all, large, round, 'dashboard')]
    const growth = after.mean / before.mean
    // The machine's load drifts between the two sizes; the reference page measured alongside cancels most of it.
    const relative = growth / (find(all, large, round, 'reference').mean / find(all, small, round, 'reference').mean)
    lines.push(`- round ${round}, dashboard latency from ${small.toLocaleString('en')} to ${large.toLocaleString('en')}: mean ×${fixed(growth, 2)}, ` +
      `p50 ×${fixed(after.p50 / before.p50, 2)}, mean relative to the reference ×${fixed(relative, 2)} (≤ ${targets.growth}×: ${mark(growth <= targets.growth)})`)
  }
  return lines.join('\n')
}

export async function appendResults(all: Measurement[], context: { command: string; code: string; seconds: number; postgres: string; loadAverage: number }): Promise<void> {
  const cpu = os.cpus()
  const section = [
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`, '',
    `Command: \`${context.command}\` — autocannon -c 50 -d ${context.seconds} per page and round; code at ${context.code}.`, '',
    `Machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, ${context.postgres}; ` +
      `load average ${fixed(context.loadAverage, 1)} when the run began (other jobs share the machine).`, '',
    table(all), '', verdicts(all), '', ''
  ]
  await appendFile(path.join(import.meta.dirname, 'RESULTS.md'), section.join('\n'))
}
