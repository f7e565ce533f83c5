import t from 'tap'
import type { Page } from 'playwright-core'
import { seedDemo } from '../../core/features/demo.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

async function signIn(page: Page, email: string, password: string, home: string) {
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel(/^Password/).fill(password)
  await Promise.all([page.waitForURL(`**${home}`), page.getByRole('button', { name: 'Sign in' }).click()])
}

const heading = async (page: Page) => (await page.getByRole('heading', { level: 1 }).textContent())?.trim()

t.test('the pipeline, board, offers and a deal, then the staff queue, channel and rules, on the demo data', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, context, console: messages } = await openBrowser(t)
  await seedDemo(app)

  await signIn(page, 'nora@northwind.example', 'portal-partner-demo', '/portal')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opportunities' }).click()
  t.equal(await heading(page), 'Opportunities')
  t.ok(await page.locator('main table tbody tr').count() > 0, 'the pipeline lists the demo deals')
  await screenshot(page, 'partner-pipeline')

  await page.goto('/portal/opportunities/board')
  const columns = page.locator('main section[aria-labelledby]')
  t.ok(await columns.count() >= 4, 'the board has a column per stage')
  await screenshot(page, 'partner-board')

  await page.goto('/portal/opportunities/offers')
  t.match(await heading(page) ?? '', /Offers/)
  await screenshot(page, 'partner-offers-inbox')

  await page.goto('/portal/opportunities')
  await page.locator('main table tbody tr a').first().click()
  await page.waitForURL(/\/portal\/opportunities\/[0-9a-f-]{36}$/)
  t.match(await page.textContent('main') ?? '', /Timeline/, 'a deal shows its timeline')
  await screenshot(page, 'partner-deal')
  const dealUrl = page.url()
  await Promise.all([page.waitForURL(/\/edit$/), page.getByRole('link', { name: 'Edit' }).click()])
  t.match(await heading(page) ?? '', /^Edit /)
  await screenshot(page, 'partner-deal-edit')
  await page.goto(dealUrl)
  await Promise.all([page.waitForURL(/\/portal\/customers\/[0-9a-f-]{36}$/), page.locator('main dl').getByRole('link').first().click()])
  const accountId = new URL(page.url()).pathname.split('/').pop()
  await page.goto(`/portal/opportunities?account=${accountId}`)
  t.ok(await page.locator('main .chip').isVisible(), 'the pipeline shows which customer it is filtered to')
  await screenshot(page, 'partner-pipeline-customer')

  const staff = await context.browser()!.newContext({ baseURL: new URL(page.url()).origin, viewport: { width: 1280, height: 800 } })
  t.teardown(() => staff.close())
  const s = await staff.newPage()
  await signIn(s, 'admin@example.com', 'portal-admin-demo', '/admin')
  await s.goto('/admin/opportunities')
  t.ok(await s.locator('main table tbody tr').count() > 0, 'staff see the opportunities')
  await screenshot(s, 'staff-opportunities')
  await s.goto('/admin/opportunities?status=pending_approval')
  const conflict = s.locator('main table tbody tr a').first()
  t.ok(await conflict.count(), 'the demo data has a registration waiting for approval')
  await conflict.click()
  await s.waitForURL(/\/admin\/opportunities\/[0-9a-f-]{36}$/)
  t.match(await s.textContent('main') ?? '', /Approve/, 'a conflicting registration can be approved')
  await screenshot(s, 'staff-conflict')
  await s.goto('/admin/opportunities/channel')
  await screenshot(s, 'staff-channel')
  await s.goto('/admin/opportunities/rules')
  await screenshot(s, 'staff-rules')

  t.same(messages.filter((m) => /^(error|pageerror|response):/.test(m)), [], 'no console errors or failed requests')
})
