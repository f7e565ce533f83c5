import { execFileSync } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { benchPartner } from './bench-partner.ts'
import { generate } from './generator.ts'
import { benchUrl, firstValue } from './database.ts'
import { freePort, startServer } from './server.ts'
import { issueApiKey, signIn } from './sign-in.ts'

/*
 * The soak (issue 17, "Load over time"): the portal under a steady rate of partner pages and writes
 * for N minutes on a generated database, its memory sampled from its own /metrics. Passes with no
 * error and no growth of the heap after the warm-up. Not in CI: `npm run soak -- --minutes 10`.
 */
const say = (line: string) => process.stdout.write(`${line}\n`)

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '40' },
    opportunities: { type: 'string', default: '10000' },
    'warm-up': { type: 'string' },
    'sample-seconds': { type: 'string', default: '5' },
    'skip-generate': { type: 'boolean', default: false }
  }
})
const minutes = Number(values.minutes)
const rate = Number(values.rate)
const sampleMs = Number(values['sample-seconds']) * 1000
/** A fifth of the run, at most two minutes: the caches, the JIT and the pool settle meanwhile. */
const warmUpMs = values['warm-up'] ? Number(values['warm-up']) * 1000 : Math.min(120_000, minutes * 12_000)
/** More requests than this waiting for answers count as errors ("the server fell behind"), not as more load. */
const maxInFlight = 100
/** Growth of the old space's floor after the warm-up, in MB a minute, under which memory counts as flat. */
const flatMbPerMinute = 0.5

const url = benchUrl('soak')

interface Sample { at: number; rss: number; heap: number; old: number; fullGcs: number }

/**
 * The floor under each sample from there on: the heap rises and falls with each collection, and
 * what a leak shows is the troughs rising, which this keeps and the sawtooth above them does not.
 */
const floors = (values: number[]) => values.map((_, i) => Math.min(...values.slice(i)))

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0)
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const mb = (bytes: number) => bytes / 2 ** 20

if (!values['skip-generate']) await generate(url, Number(values.opportunities))
const metricsPort = await freePort()
const server = await startServer(url, { JOBS: 'true', METRICS_LISTEN: `127.0.0.1:${metricsPort}` })
try {
  const cookie = await signIn(server.origin, benchPartner.email, benchPartner.password)
  const apiKey = await issueApiKey(server.origin, cookie)
  const formPage = await (await fetch(`${server.origin}/portal/customers/new`, { headers: { cookie } })).text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(formPage)?.[1]
  if (!csrf) throw new Error('GET /portal/customers/new has no CSRF token')
  const accountId = await firstValue(url, `select a.id from customer_accounts a join partners p on p.id = a.partner_id
    where p.domain = '${benchPartner.domain}' order by a.name limit 1`)
  const dealId = await firstValue(url, `select o.id from opportunities o join partners p on p.id = o.partner_id
    where p.domain = '${benchPartner.domain}' and o.status = 'open' order by o.number limit 1`)

  const form = (fields: Record<string, string>) => ({
    method: 'POST', redirect: 'manual' as const,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields })
  })
  let written = 0
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
  /** One in five requests writes: a customer account, or an opportunity registered on one. */
  const mix: Array<{ name: string; request: () => Promise<Response> }> = [
    { name: 'GET /portal', request: () => fetch(`${server.origin}/portal`, { headers: { cookie } }) },
    { name: 'GET /portal/opportunities', request: () => fetch(`${server.origin}/portal/opportunities`, { headers: { cookie } }) },
    { name: 'GET /portal/customers', request: () => fetch(`${server.origin}/portal/customers`, { headers: { cookie } }) },
    { name: 'POST /portal/customers', request: () => fetch(`${server.origin}/portal/customers`, form({ name: `Soak account ${++written}`, country: 'US', website: '', domain: '', phone: '', address: '', city: '', postal_code: '', industry: '', owner_id: '' })) },
    { name: 'GET /portal/opportunities/:id', request: () => fetch(`${server.origin}/portal/opportunities/${dealId}`, { headers: { cookie } }) },
    { name: 'GET /portal/customers/:id', request: () => fetch(`${server.origin}/portal/customers/${accountId}`, { headers: { cookie } }) },
    { name: 'GET /portal/company', request: () => fetch(`${server.origin}/portal/company`, { headers: { cookie } }) },
    { name: 'GET /api/v1/opportunities', request: () => fetch(`${server.origin}/api/v1/opportunities`, { headers: { authorization: `Bearer ${apiKey}` } }) },
    { name: 'GET /portal/opportunities/board', request: () => fetch(`${server.origin}/portal/opportunities/board`, { headers: { cookie } }) },
    {
      name: 'POST /portal/opportunities', request: () => fetch(`${server.origin}/portal/opportunities`, form({
        name: `Soak deal ${++written}`, account_id: accountId, contact_id: '', estimated_revenue: '25000', currency: 'USD',
        expected_close: inDays(30), expertise: 'Consulting', description: 'Steady load.'
      }))
    }
  ]

  const latencies: number[] = []
  const errors = new Map<string, number>()
  const fail = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1)
  let inFlight = 0
  let sent = 0
  const fire = () => {
    const entry = mix[sent++ % mix.length]!
    if (inFlight >= maxInFlight) return fail(`${entry.name}: not sent, ${maxInFlight} requests already waiting`)
    inFlight++
    const started = performance.now()
    void entry.request().then(async (response) => {
      await response.arrayBuffer()
      latencies.push(performance.now() - started)
      if (response.status >= 400) fail(`${entry.name}: ${response.status}`)
    }, (err: unknown) => fail(`${entry.name}: ${err instanceof Error ? err.message : String(err)}`)).finally(() => inFlight--)
  }

  const samples: Sample[] = []
  const sample = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const read = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1])
    samples.push({
      at: Date.now(), rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes'),
      old: read('nodejs_heap_space_size_used_bytes{space="old"}'), fullGcs: read('nodejs_gc_duration_seconds_count{kind="major"}') || 0
    })
  }

  say(`Soak: ${minutes} min at ${rate} requests/s (one in five a write) on ${new URL(url).pathname.slice(1)}, memory every ${sampleMs / 1000} s, warm-up ${warmUpMs / 1000} s`)
  const start = Date.now()
  const end = start + minutes * 60_000
  await sample()
  const sampler = setInterval(() => void sample().catch((err: unknown) => fail(`metrics: ${String(err)}`)), sampleMs)
  // Open loop: requests leave on schedule whether or not the earlier ones were answered.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((Date.now() - start) / 1000) * rate)
      while (sent < due) fire()
      if (Date.now() >= end) {
        clearInterval(tick)
        resolve()
      }
    }, 10)
  })
  clearInterval(sampler)
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50))
  await sample()

  const settled = samples.filter((s) => s.at - start >= warmUpMs)
  const perMinute = (values: number[]) => slope(settled.map((s, i) => [(s.at - start) / 60_000, mb(values[i]!)]))
  const [oldSlope, heapSlope, rssSlope] = [perMinute(floors(settled.map((s) => s.old))), perMinute(settled.map((s) => s.heap)), perMinute(settled.map((s) => s.rss))]
  const sorted = [...latencies].sort((a, b) => a - b)
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0)
  const first = settled[0] ?? samples[0]!
  const last = samples.at(-1)!
  const flat = oldSlope < flatMbPerMinute
  // Until the collector has swept the old space a few times, its floor is only how much it let pile up.
  const fullGcs = last.fullGcs - first.fullGcs
  const memoryVerdict = fullGcs < 3 ? 'INCONCLUSIVE' : flat ? 'PASS' : 'FAIL'
  const lines = [
    `Requests: ${sent} sent, ${latencies.length} answered in ${((Date.now() - start) / 1000).toFixed(0)} s (${(latencies.length / ((Date.now() - start) / 1000)).toFixed(1)}/s), ${written} writes; ` +
      `latency p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
    `Errors: ${errorCount}${errorCount ? ` (${[...errors].map(([what, n]) => `${what} ×${n}`).join('; ')})` : ''}`,
    `Memory after the warm-up (${settled.length} samples): old space's floor ${mb(Math.min(...settled.map((s) => s.old))).toFixed(1)} MB, ` +
      `slope ${oldSlope.toFixed(2)} MB/min; heap used ${mb(first.heap).toFixed(1)} → ${mb(last.heap).toFixed(1)} MB, slope ${heapSlope.toFixed(2)} MB/min; ` +
      `RSS ${mb(first.rss).toFixed(1)} → ${mb(last.rss).toFixed(1)} MB, slope ${rssSlope.toFixed(2)} MB/min`,
    `${errorCount === 0 ? 'PASS' : 'FAIL'}: no errors`,
    `${memoryVerdict}: memory flat after the warm-up (the old space's floor grows under ${flatMbPerMinute} MB/min; ${fullGcs} full collections after the warm-up${fullGcs < 3 ? ', fewer than 3: run longer' : ''})`
  ]
  for (const line of lines) say(line)

  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
  const code = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' with uncommitted changes' : ''}`
  const postgres = (await firstValue(url, 'select version()')).split(' on ')[0]
  appendFileSync(path.join(import.meta.dirname, 'RESULTS.md'), [
    '', `## Soak, ${new Date(start).toISOString().slice(0, 16).replace('T', ' ')} UTC (${code})`, '',
    `\`npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`: ${minutes} min at ${rate} requests/s across ` +
      `${mix.length} partner pages and writes, on ${Number(await firstValue(url, 'select count(*) from opportunities')).toLocaleString('en')} opportunities ` +
      `(${postgres}), job runner on; memory read from the server's /metrics every ${sampleMs / 1000} s; warm-up ${warmUpMs / 1000} s; ` +
      `load average ${os.loadavg()[0]!.toFixed(1)} at the end on ${os.cpus().length} cores.`, '',
    ...lines.map((line) => `- ${line}`), ''
  ].join('\n'))
  say('Appended to bench/RESULTS.md')
  process.exitCode = errorCount === 0 && memoryVerdict === 'PASS' ? 0 : 1
} finally {
  await server.stop()
}
