import t from 'tap'
import type { Page } from 'playwright-core'
import { createActivePartner } from '../fixtures/partners.ts'
import { createForums, createModerator } from '../fixtures/forums.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill(password)
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()])
}

t.test('staff turn an unanswered question into a case; the asker finds it among their cases, and the reply that resolves it comes back as the answer', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, context, console: messages } = await openBrowser(t)
  const staff = await createModerator(app)
  await createForums(app, staff, 'Community', [{ name: 'Licensing' }])
  const north = await createActivePartner(app, 'north')

  await signIn(page, north.email, north.password)
  await page.goto('/portal/forums')
  await page.getByRole('link', { name: 'Licensing' }).click()
  await page.getByRole('link', { name: 'New thread' }).click()
  await page.getByLabel('A question').check()
  await page.getByLabel('Title').fill('Where do renewal keys come from?')
  await page.getByLabel('Message').fill('Our customer renewed, but **no key** arrived.')
  await Promise.all([page.waitForURL('**/portal/forums/t/*'), page.getByRole('button', { name: 'Post thread' }).click()])
  const threadPath = new URL(page.url()).pathname

  const desk = await context.browser()!.newContext({ baseURL: new URL(page.url()).origin, viewport: { width: 1280, height: 800 } })
  const staffPage = await desk.newPage()
  staffPage.on('pageerror', (err) => messages.push(`pageerror: ${err.message}`))
  await signIn(staffPage, staff.email, staff.password)
  await staffPage.goto(threadPath.replace('/portal/', '/admin/'))
  await Promise.all([
    staffPage.waitForURL('**/admin/forums/t/*'),
    staffPage.getByRole('button', { name: /^Turn into a case/ }).click()
  ])
  await staffPage.getByText('The question is a support case now').waitFor()
  t.equal(await staffPage.getByRole('button', { name: /Turn into a case/ }).count(), 0, 'the action is gone once the case exists')
  await screenshot(staffPage, 'forums-turned-into-case')

  await Promise.all([staffPage.waitForURL('**/admin/cases/*'), staffPage.getByRole('link', { name: 'Support case' }).click()])
  await staffPage.getByRole('heading', { name: 'Where do renewal keys come from?' }).waitFor()
  t.match(await staffPage.locator('main').innerText(), /no key[\s\S]*Asked in the forums/, 'the case holds the question and the way back to the thread')
  await staffPage.getByLabel('Message to the partner').fill('Renewal keys are under **Licences › Renewals** a day after the order.')
  await staffPage.getByLabel('Then').selectOption('resolved')
  await staffPage.getByRole('button', { name: 'Send reply' }).click()
  await staffPage.getByText('Reply sent; the partner is e-mailed.').waitFor()
  await app.diContainer.cradle.jobs.runDue()

  await page.goto('/portal/cases')
  await page.getByRole('link', { name: 'Where do renewal keys come from?' }).waitFor()
  await page.goto(threadPath)
  await page.getByRole('heading', { name: 'The answer' }).waitFor()
  t.match(await page.locator('#answer').innerText(), /Mona Moderator[\s\S]*Licences › Renewals/, 'the resolving reply is the thread’s answer, by the staff member')
  await screenshot(page, 'forums-case-answer')

  t.same(messages.filter((m) => /content security policy|refused to|pageerror/i.test(m)), [], 'no CSP violations or page errors')
  await desk.close()
})
