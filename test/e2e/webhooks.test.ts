import t from 'tap'
import { createUser } from '../helper.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { Receiver } from '../fixtures/receiver.ts'
import { runJobs } from '../fixtures/webhooks.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

t.test('a partner admin adds a webhook endpoint in the browser, copies its secret, sends a test event and reads the log', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(acme.email)
  await page.getByLabel('Password').fill(acme.password)
  await Promise.all([page.waitForURL('**/portal'), page.getByRole('button', { name: 'Sign in' }).click()])

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click()
  await page.getByRole('navigation', { name: 'Integrations' }).getByRole('link', { name: 'Webhooks' }).click()
  t.ok(await page.getByText('No webhook endpoints yet').isVisible(), 'an empty state says what webhooks are for')
  await screenshot(page, 'webhooks-empty')

  await page.getByRole('link', { name: 'New endpoint' }).first().click()
  await page.getByRole('button', { name: 'Add endpoint' }).click()
  t.ok(await page.getByText('Choose at least one event.').isVisible(), 'a missing choice is explained')
  await screenshot(page, 'webhooks-form-errors')

  await page.getByLabel('Endpoint address').fill(receiver.url)
  await page.getByLabel('Description').fill('CRM sync')
  await page.getByLabel(/Customer created/).check()
  await page.getByLabel(/Opportunity won/).check()
  await page.getByRole('button', { name: 'Add endpoint' }).click()
  await page.getByRole('heading', { name: 'Webhook endpoint created' }).waitFor()
  t.match(await page.getByLabel('Signing secret').inputValue(), /^whsec_/, 'the secret is shown, ready to copy')
  await screenshot(page, 'webhooks-secret')

  await page.getByRole('link', { name: 'Done' }).click()
  await page.getByRole('button', { name: 'Send a test event' }).click()
  await page.getByText('A test event is on its way').waitFor()
  await runJobs(app)
  await page.reload()
  t.ok(await page.getByRole('cell', { name: /webhook\.test/ }).isVisible(), 'the log shows the test event')
  t.ok(await page.getByText('Delivered').isVisible(), 'delivered')
  t.equal(receiver.received.length, 1, 'and the receiver got it')
  await screenshot(page, 'webhooks-endpoint')

  await page.getByRole('link', { name: 'Webhooks' }).first().click()
  t.ok(await page.getByRole('link', { name: receiver.url }).isVisible(), 'the endpoint is listed')
  await screenshot(page, 'webhooks-list')
  t.same(messages.filter((m) => !m.includes('422')), [], 'no console errors or failed requests but the form’s 422')
})

t.test('a staff admin finds webhooks under Settings → Integrations, with every event on offer', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t)
  await createUser(app, { email: 'root@staff.example', role: 'admin', password: 'correct-horse-battery' })
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill('root@staff.example')
  await page.getByLabel('Password').fill('correct-horse-battery')
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('button', { name: 'Sign in' }).click()])
  await page.goto('/admin/integrations/webhooks/new')
  t.ok(await page.getByLabel(/Partner application submitted/).isVisible(), 'application events are staff’s to choose')
  await page.getByLabel('Endpoint address').fill('https://hooks.example.com/portal')
  await page.getByLabel(/Partner application submitted/).check()
  await page.getByRole('button', { name: 'Add endpoint' }).click()
  await page.getByRole('heading', { name: 'Webhook endpoint created' }).waitFor()
  await page.getByRole('link', { name: 'Done' }).click()
  await page.getByRole('heading', { name: 'https://hooks.example.com/portal' }).waitFor()
  t.ok(await page.getByText('Nothing sent yet').isVisible(), 'an empty log says so')
  await screenshot(page, 'webhooks-staff-endpoint')
  t.same(messages, [], 'no console errors or failed requests')
})
