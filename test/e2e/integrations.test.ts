import t from 'tap'
import { createActivePartner } from '../fixtures/partners.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

t.test('a partner admin issues an API key in the browser, copies it once and reads the API reference', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t)
  const acme = await createActivePartner(app, 'acme')
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(acme.email)
  await page.getByLabel('Password').fill(acme.password)
  await Promise.all([page.waitForURL('**/portal'), page.getByRole('button', { name: 'Sign in' }).click()])

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click()
  await page.getByRole('heading', { name: 'Integrations' }).waitFor()
  t.ok(await page.getByText('No API keys yet').isVisible(), 'an empty state says what keys are for')
  await screenshot(page, 'integrations-empty')

  await page.getByRole('link', { name: 'New API key' }).first().click()
  await page.getByLabel('Name').fill('CRM sync')
  await page.getByLabel('Expires after').selectOption('365')
  await page.getByLabel('Opportunities: what they see').selectOption('own')
  await screenshot(page, 'integrations-new-key')
  await page.getByRole('button', { name: 'Issue key' }).click()
  await page.getByRole('heading', { name: 'API key issued' }).waitFor()
  const token = await page.getByLabel('Key').inputValue()
  t.match(token, /^pp_[A-Za-z0-9_-]{43}$/, 'the key is shown, ready to copy')
  await screenshot(page, 'integrations-key-issued')

  const me = await page.request.get('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })
  t.equal(me.status(), 200, 'and it works')

  await page.getByRole('link', { name: 'Done' }).click()
  t.ok(await page.getByRole('cell', { name: 'CRM sync', exact: true }).isVisible(), 'the key is listed')
  await screenshot(page, 'integrations-keys')

  await page.getByRole('link', { name: 'API reference' }).click()
  await page.getByRole('heading', { name: 'API reference', level: 1 }).waitFor()
  t.ok(await page.getByRole('heading', { name: /GET \/api\/v1\/customers\/accounts$/ }).isVisible(), 'the operations are listed')
  await screenshot(page, 'api-docs')
  t.same(messages.filter((m) => !m.startsWith('response: 401')), [], 'no console errors or failed requests')
})
