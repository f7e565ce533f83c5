import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildTestApp } from '../helper.ts'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const screenshotDir = path.resolve(import.meta.dirname, 'screenshots')

const launchArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'
]

/**
 * Why browser tests cannot run here, or undefined when they can. Under CI=true a missing Chromium
 * is a failure (see `browserTest`), so CI can never go green by quietly skipping them.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(chromiumPath)) return undefined
  return `Chromium not found at ${chromiumPath}: browser tests need Debian's chromium (apt-get install -y chromium)`
}

/** The `skip` option for a browser test: set (and announced loudly) only when Chromium is missing outside CI. */
export function skipWithoutBrowser(): string | false {
  const reason = browserUnavailable()
  if (!reason || process.env.CI === 'true') return false
  process.stderr.write(`\n${'!'.repeat(78)}\n!! BROWSER TESTS SKIPPED: ${reason}\n${'!'.repeat(78)}\n\n`)
  return reason
}

const widths = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } }

export interface BrowserSession {
  app: FastifyInstance
  browser: Browser
  context: BrowserContext
  page: Page
  baseUrl: string
  /** Console messages, page errors and 4xx/5xx responses seen so far, as "type: text". */
  console: string[]
}

/**
 * Starts the app, on its own database, on 127.0.0.1 and a free port, and a fresh Chromium pointed
 * at it. Everything is closed when the test ends.
 */
export async function openBrowser(t: Test, env: Record<string, string> = {}): Promise<BrowserSession> {
  const reason = browserUnavailable()
  if (reason) throw new Error(process.env.CI === 'true' ? `${reason} (CI=true: a missing browser fails the run instead of skipping)` : reason)

  const { app } = await buildTestApp(t, env)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('the app did not report a TCP address')
  const baseUrl = `http://127.0.0.1:${address.port}`

  // launch() gives every browser a fresh temporary user-data dir of its own and removes it on close.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs })
  // tap runs teardowns last-in first-out: the browser closes before the app it talks to.
  t.teardown(() => browser.close())
  const context = await browser.newContext({ baseURL: baseUrl, viewport: widths.desktop })
  const page = await context.newPage()
  const messages: string[] = []
  page.on('console', (m: ConsoleMessage) => messages.push(`${m.type()}: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`))
  page.on('pageerror', (err: Error) => messages.push(`pageerror: ${err.message}`))
  // The console's "Failed to load resource" does not name the resource; this does.
  page.on('response', (r) => { if (r.status() >= 400) messages.push(`response: ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`) })
  return { app, browser, context, page, baseUrl, console: messages }
}

/** Full-page screenshots at desktop and phone widths into test/e2e/screenshots/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string[]> {
  await mkdir(screenshotDir, { recursive: true })
  const original = page.viewportSize()
  const files: string[] = []
  for (const [label, size] of Object.entries(widths)) {
    await page.setViewportSize(size)
    const file = path.join(screenshotDir, `${name}-${label}.png`)
    await page.screenshot({ path: file, fullPage: true })
    files.push(file)
  }
  if (original) await page.setViewportSize(original)
  return files
}
