import t from 'tap'
import { createActivePartner } from '../fixtures/partners.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

t.test('a partner searches live, creates an account with a contact, moves the contact and imports a file', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, console: messages } = await openBrowser(t)
  const acme = await createActivePartner(app, 'acme')
  for (const [name, city] of [['Initech', 'Austin'], ['Umbrella', 'Raccoon City'], ['Wayne Enterprises', 'Gotham']] as const) {
    await createCustomer(app, acme.admin.id, name, { city, domain: `${name.split(' ')[0]!.toLowerCase()}.example` })
  }
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(acme.email)
  await page.getByLabel('Password').fill(acme.password)
  await Promise.all([page.waitForURL('**/portal'), page.getByRole('button', { name: 'Sign in' }).click()])

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click()
  await page.getByRole('link', { name: 'Umbrella' }).waitFor()
  await screenshot(page, 'customers-list')
  await page.getByLabel('Name, domain or city').fill('gotham')
  await page.waitForFunction(() => !document.querySelector('#account-results')?.textContent?.includes('Umbrella'))
  t.match(await page.textContent('#account-results') ?? '', /Wayne Enterprises/, 'live search swaps the results without a reload')
  t.match(page.url(), /q=gotham/, 'the address keeps the search')

  await page.getByRole('link', { name: 'New account' }).click()
  await page.getByLabel('Name').fill('Globex Corporation')
  await page.getByLabel('Website').fill('https://www.globex.example')
  await page.getByLabel('City').fill('Cypress Creek')
  await page.getByLabel('Country').selectOption('US')
  await Promise.all([page.waitForURL(/\/portal\/customers\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Create account' }).click()])
  await page.getByRole('heading', { name: 'Globex Corporation' }).waitFor()
  const globexUrl = page.url()

  await page.getByRole('link', { name: 'Add contact' }).click()
  await page.getByLabel('First name').fill('Hank')
  await page.getByLabel('Last name').fill('Scorpio')
  await page.getByLabel('E-mail').fill('hank@globex.example')
  await Promise.all([page.waitForURL(globexUrl), page.getByRole('button', { name: 'Create contact' }).click()])
  await page.getByRole('button', { name: 'Set primary contact' }).click()
  await page.getByText('Primary contact set.').waitFor()
  await screenshot(page, 'customer-account')

  await page.getByRole('link', { name: 'Hank Scorpio' }).first().click()
  await page.getByLabel('Account').selectOption({ label: 'Initech' })
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Move contact' }).click()])
  await page.getByText('Contact moved.').waitFor()
  t.match(await page.textContent('main') ?? '', /CEO at Initech|at Initech|Initech/, 'the contact now belongs to Initech')
  await screenshot(page, 'customer-contact')

  await page.goto('/portal/customers/import')
  await page.getByLabel('Or paste the CSV here').fill('account_name,domain,city,country,contact_first_name,contact_last_name\nHooli,hooli.example,Palo Alto,US,Gavin,Belson\n,,,,,\nPied Piper,,Palo Alto,XX,Richard,Hendricks')
  await Promise.all([page.waitForURL('**/portal/customers/imports/*'), page.getByRole('button', { name: 'Check the file' }).click()])
  await page.getByRole('heading', { name: 'Rows with errors' }).waitFor()
  await screenshot(page, 'customer-import-preview')
  await page.getByLabel(/Import only the 1 valid rows/).check()
  await page.getByRole('button', { name: 'Import the valid rows' }).click()
  await page.getByRole('heading', { name: /Importing/ }).waitFor()
  await app.diContainer.cradle.jobs.runDue()
  await page.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 5000 })
  t.pass('the polled progress fragment reports the finished import')
  await screenshot(page, 'customer-import-done')
  await page.getByRole('link', { name: 'See your customers' }).click()
  await page.getByRole('link', { name: 'Hooli' }).waitFor()

  t.same(messages.filter((m) => /^(error|pageerror|response):/.test(m)), [], 'no console errors or failed requests')
})
