import t from 'tap'
import { createUser } from '../helper.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

t.test('a staff admin signs in through the form and finds their way around', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t)
  await createUser(app, { email: 'avery@example.com', name: 'Avery Admin', role: 'admin', password: 'correct-horse-battery' })

  await page.goto('/admin')
  t.match(new URL(page.url()).pathname, /^\/signin/, 'a visitor is sent to sign in')
  await screenshot(page, 'signin')

  await page.getByLabel('E-mail').fill('avery@example.com')
  await page.getByLabel('Password').fill('correct-horse-battery')
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('button', { name: 'Sign in' }).click()])
  t.equal(new URL(page.url()).pathname, '/admin', 'lands on the admin home')
  await page.getByRole('heading', { name: 'Good to see you, Avery' }).waitFor()
  t.pass('sees the greeting')
  await screenshot(page, 'admin-home')

  const nav = page.getByRole('navigation', { name: 'Main' })
  const settings = nav.locator('summary', { hasText: 'Settings' })
  t.notOk(await nav.getByRole('link', { name: 'Staff' }).isVisible(), 'Staff waits in the closed Settings menu')
  await settings.focus()
  await page.keyboard.press('Enter')
  t.ok(await nav.getByRole('link', { name: 'Staff' }).isVisible(), 'Enter on Settings opens the menu')
  await screenshot(page, 'admin-settings-menu')
  await page.keyboard.press('Escape')
  t.notOk(await nav.getByRole('link', { name: 'Staff' }).isVisible(), 'Escape closes it')
  t.ok(await settings.evaluate((el) => el === document.activeElement), 'and leaves the focus on Settings')
  await settings.click()
  await Promise.all([page.waitForURL('**/admin/staff'), nav.getByRole('link', { name: 'Staff' }).click()])
  await settings.click()
  t.equal(await nav.getByRole('link', { name: 'Staff' }).getAttribute('aria-current'), 'page', 'Staff is marked current')
  await page.getByRole('heading', { level: 1 }).click()
  t.notOk(await nav.getByRole('link', { name: 'Staff' }).isVisible(), 'a click elsewhere closes the menu')
  t.ok(await page.getByRole('table').getByText('avery@example.com').isVisible(), 'the staff list shows the admin')
  await screenshot(page, 'admin-staff')

  await settings.click()
  await Promise.all([page.waitForURL('**/admin/audit'), nav.getByRole('link', { name: 'Audit trail' }).click()])
  await settings.click()
  t.equal(await nav.getByRole('link', { name: 'Audit trail' }).getAttribute('aria-current'), 'page', 'Audit trail is marked current')
  await settings.click()
  await screenshot(page, 'admin-audit')

  t.same(messages.filter((m) => /content security policy|content-security-policy|refused to/i.test(m)), [], 'no CSP violations in the console')
  t.same(messages.filter((m) => /^(error|pageerror|response):/.test(m)), [], 'no console errors or failed requests')
})
