/**
 * The suite's frame: each scenario gets a context to record figures and checks in, and cleanups
 * that run whatever happens (a failed check, a thrown error, the scenario's hard time limit).
 */

export const out = (line = '') => process.stdout.write(`${line}\n`)

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Seconds with one decimal, or '-' when there is no value. */
export const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`)

export class Context {
  passed = 0
  failed = 0
  private readonly cleanups: Array<() => Promise<unknown> | unknown> = []
  private readonly controller = new AbortController()

  constructor(readonly name: string) {}

  /** Aborted when the scenario runs out of time: loops stop, waits give up. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  abort(): void {
    this.closed = true
    this.controller.abort()
  }

  /** Set once the scenario is over (or timed out): what it still does in the background is not counted. */
  closed = false

  check(name: string, ok: boolean, detail = ''): boolean {
    if (this.closed) return ok
    if (ok) this.passed++
    else this.failed++
    out(`  ${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`)
    return ok
  }

  figures(label: string, values: Record<string, string | number | undefined>): void {
    const parts = Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`)
    out(`  figures${label ? ` [${label}]` : ''}: ${parts.join(', ')}`)
  }

  note(text: string): void {
    out(`  note: ${text}`)
  }

  /** Runs last-registered first, after the scenario ends or times out. */
  onCleanup(fn: () => Promise<unknown> | unknown): void {
    this.cleanups.push(fn)
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn()
      } catch (err) {
        out(`  cleanup error: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
}

/** Polls until `test` gives a value (not undefined/false) or the time is up; returns the value or undefined. */
export async function waitFor<T>(test: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100, signal?: AbortSignal): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await test()
    if (value !== undefined && value !== false) return value
    if (Date.now() >= deadline || signal?.aborted) return undefined
    await sleep(intervalMs)
  }
}

export interface Scenario {
  name: string
  /** Which databases it applies to; on the others it is reported as skipped, with `skipReason`. */
  databases: Array<'postgres' | 'pglite'>
  skipReason?: string
  /** Hard limit for the whole scenario, set-up and clean-up included. */
  timeoutMs: number
  run(ctx: Context, database: 'postgres' | 'pglite'): Promise<void>
}
