import t from 'tap'
import type { Page } from 'playwright-core'
import { viewerOf } from '../../core/identity/access.ts'
import { partnerWithDeal, staffAgent, staffPassword } from '../fixtures/cases.ts'
import { createArticle, createCategory, createStaffPair } from '../fixtures/knowledge.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill(password)
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()])
}

t.test('a partner opens a case about a deal; staff answer with a canned reply and an internal note; the partner sees the reply, not the note, resolves and rates', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, context, console: messages } = await openBrowser(t)
  const acme = await partnerWithDeal(app, 'acme')
  const deskUser = await staffAgent(app, 'desk@staff.example', 'Dana Desk')
  await app.diContainer.cradle.cannedReplies.create(viewerOf(deskUser.user, app.diContainer.cradle.channelAreas), {
    title: 'New keys sent', body: 'Hello {{contact_name}}, please use the new keys we just sent you for {{deal_name}}.', shared: false
  })
  const writers = await createStaffPair(app)
  await createArticle(app, writers, (await createCategory(app, writers.author, 'Licensing')).id, { title: 'Activating licence keys', body: 'Enter the key under Settings.' })

  await signIn(page, acme.email, acme.password)
  await page.goto(`/portal/opportunities/${acme.dealId}`)
  await page.getByRole('heading', { name: 'Support cases' }).waitFor()
  await Promise.all([page.waitForURL('**/portal/cases/new?**'), page.getByRole('link', { name: 'Open a case about this deal' }).click()])
  t.ok(await page.getByRole('radio', { name: /acme deal/ }).isChecked(), 'the deal is chosen already')
  await page.getByLabel('Subject').pressSequentially('Licence keys fail for the deal')
  await page.locator('#suggestions').getByRole('link', { name: 'Activating licence keys' }).waitFor()
  t.ok(await page.getByRole('button', { name: 'This answered my question' }).isVisible(), 'an article is suggested while typing')
  await screenshot(page, 'cases-portal-new')
  await page.getByLabel('Description').fill('The keys from **yesterday** fail with error 42.')
  await page.getByLabel('Priority').selectOption('high')
  await page.getByLabel('Attach a file').setInputFiles({ name: 'error.txt', mimeType: 'text/plain', buffer: Buffer.from('error 42 at step 3') })
  await Promise.all([page.waitForURL(/\/portal\/cases\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Open the case' }).click()])
  await page.getByText('Your case is open.').waitFor()
  const caseUrl = page.url()
  t.match(await page.locator('main').innerText(), /acme deal[\s\S]*error\.txt/, 'the case names the deal and carries the file')

  const deskContext = await context.browser()!.newContext({ baseURL: new URL(caseUrl).origin, viewport: { width: 1280, height: 800 } })
  const desk = await deskContext.newPage()
  await signIn(desk, 'desk@staff.example', staffPassword)
  await desk.goto('/admin/cases')
  await screenshot(desk, 'cases-admin-queue')
  await Promise.all([desk.waitForURL('**/admin/cases/*'), desk.getByRole('link', { name: 'Licence keys fail for the deal' }).click()])
  await desk.getByRole('button', { name: 'Take this case' }).click()
  await desk.getByText('The case is yours.').waitFor()
  await desk.getByLabel('Note for the staff').fill('Customer runs the old licence server. Do not tell them yet.')
  await desk.getByRole('button', { name: 'Add internal note' }).click()
  await desk.getByText('Internal note added.').waitFor()
  await desk.getByLabel('Start from a canned reply').selectOption({ label: 'New keys sent' })
  await Promise.all([desk.waitForURL('**canned=*'), desk.getByRole('button', { name: 'Use' }).click()])
  t.equal(await desk.getByLabel('Message to the partner').inputValue(), 'Hello acme Admin, please use the new keys we just sent you for acme deal.', 'the canned reply is filled in for the case')
  await desk.getByLabel('Then').selectOption('waiting')
  await desk.getByRole('button', { name: 'Send reply' }).click()
  await desk.getByText('Reply sent; the partner is e-mailed.').waitFor()
  await screenshot(desk, 'cases-admin-case')

  await page.reload()
  const partnerView = await page.locator('main').innerText()
  t.match(partnerView, 'Hello acme Admin, please use the new keys we just sent you for acme deal.', 'the partner reads the reply')
  t.notMatch(partnerView, /old licence server|Staff only|Dana Desk$/m, 'and never the note')
  t.match(partnerView, /Waiting on you/)
  await page.getByLabel('Your reply').fill('The new keys work, thank you.')
  await page.getByRole('button', { name: 'Send reply' }).click()
  await page.getByText('Reply sent.').waitFor()
  await page.getByRole('button', { name: /mark as resolved/ }).click()
  await page.getByText('Marked as resolved.').waitFor()
  await page.getByRole('radio', { name: '5' }).check()
  await page.getByLabel('Comment (optional)').fill('Quick and clear.')
  await page.getByRole('button', { name: 'Rate' }).click()
  await page.getByText('Thank you for rating our answer.').waitFor()
  t.match(await page.locator('main').innerText(), /5 of 5 · Quick and clear\./)
  await screenshot(page, 'cases-portal-case')

  await desk.reload()
  t.match(await desk.locator('main').innerText(), /Rated 5 of 5/, 'staff see the rating')
  t.same(messages.filter((m) => /content security policy|refused to|pageerror/i.test(m)), [], 'no CSP violations or page errors')
  await deskContext.close()
})
