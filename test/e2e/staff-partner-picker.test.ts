import t from 'tap'
import { createCustomer } from '../fixtures/customers.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { createUser } from '../helper.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

t.test('staff reassign a customer by searching for the new partner as they type', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t)
  const acme = await createActivePartner(app, 'acme')
  for (const slug of ['northwind', 'contoso', 'fabrikam']) await createActivePartner(app, slug)
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex', { domain: 'globex.example' })
  await createUser(app, { email: 'ops@example.com', role: 'admin' })

  await page.goto('/signin')
  await page.getByLabel('E-mail').fill('ops@example.com')
  await page.getByLabel('Password').fill('correct-horse-battery')
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('button', { name: 'Sign in' }).click()])

  await page.goto(`/admin/customers/${accountId}`)
  const choices = page.locator('#partner-options')
  t.equal(await choices.getByRole('radio').count(), 0, 'no partner is listed before a name is typed')
  t.match(await page.textContent('#partner-status') ?? '', /Type part of a name to find an active partner/, 'the empty list says what to do')
  await page.getByLabel('Find a partner').fill('contoso')
  await page.waitForFunction(() => document.querySelectorAll('#partner-options input[type=radio]').length === 1)
  t.match(await page.textContent('#partner-status') ?? '', /1 partner matching “contoso”/, 'the count is announced')
  await choices.getByRole('radio', { name: /contoso Ltd/ }).check()
  await screenshot(page, 'staff-reassign-picker')

  page.once('dialog', (dialog) => void dialog.accept())
  await Promise.all([page.waitForURL(`**/admin/customers/${accountId}`), page.getByRole('button', { name: 'Reassign' }).click()])
  t.match(await page.textContent('main') ?? '', /Globex now belongs to contoso Ltd/)
  t.same(messages.filter((m) => !m.startsWith('log:')), [], 'no console errors')
})
