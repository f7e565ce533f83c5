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

  // 1,200 valid rows and two with errors: two chunks to check, three to import.
  const { jobs } = app.diContainer.cradle
  await jobs.runDue()
  const hoolis = Array.from({ length: 1200 }, (_, i) => `Hooli ${i},hooli${i}.example,Palo Alto,US,Gavin,Belson`)
  await page.goto('/portal/customers/import')
  await page.getByLabel('Or paste the CSV here').fill(['account_name,domain,city,country,contact_first_name,contact_last_name', ...hoolis, ',,,,,', 'Pied Piper,,Palo Alto,XX,Richard,Hendricks'].join('\n'))
  await Promise.all([page.waitForURL('**/portal/customers/imports/*'), page.getByRole('button', { name: 'Check the file' }).click()])
  await page.getByText('Checking row 1 of 1,202').waitFor()
  await jobs.runDue(1)
  await page.getByText('Checking row 1,001 of 1,202').waitFor({ timeout: 5000 })
  t.equal(await page.getByRole('progressbar', { name: 'Rows checked' }).getAttribute('value'), '1000', 'the bar shows the rows checked')
  await screenshot(page, 'customer-import-checking')
  await jobs.runDue(1)
  await page.getByRole('heading', { name: 'Rows with errors' }).waitFor({ timeout: 5000 })
  t.pass('the polled page turns into the preview when the check is done')
  await screenshot(page, 'customer-import-preview')
  await page.getByLabel(/Import only the 1,200 valid rows/).check()
  await page.getByRole('button', { name: 'Import the valid rows' }).click()
  await page.getByText('Imported 0 of 1,200 rows').waitFor()
  await jobs.runDue(1)
  await page.getByText('Imported 500 of 1,200 rows').waitFor({ timeout: 5000 })
  await screenshot(page, 'customer-import-progress')
  await jobs.runDue()
  await page.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 5000 })
  t.pass('the polled page reports the finished import')
  await screenshot(page, 'customer-import-done')
  await page.getByRole('link', { name: 'See your customers' }).click()
  await page.getByLabel('Name, domain or city').fill('hooli7.example')
  await page.getByRole('link', { name: 'Hooli 7', exact: true }).waitFor()

  t.same(messages.filter((m) => /^(error|pageerror|response):/.test(m)), [], 'no console errors or failed requests')
})
