import t from 'tap'
import { sql } from 'kysely'
import type { Browser, Page } from 'playwright-core'
import { createActivePartner } from '../fixtures/partners.ts'
import { createForums, createModerator } from '../fixtures/forums.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill(password)
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()])
}

async function person(browser: Browser, baseUrl: string, messages: string[], phone = false) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (err) => messages.push(`pageerror: ${err.message}`))
  page.on('dialog', (d) => void d.accept())
  return { context, page }
}

t.test('a partner asks, another answers, staff mark the answer, and the asker’s digest lists it', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, browser, baseUrl, console: messages } = await openBrowser(t)
  const staff = await createModerator(app)
  await createForums(app, staff, 'Community', [{ name: 'Best practice', allowHiddenCompany: true }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')

  await signIn(page, north.email, north.password)
  await page.goto('/portal/forums')
  await page.getByRole('link', { name: 'E-mail settings' }).click()
  await page.getByLabel('One daily digest').check()
  await Promise.all([page.waitForURL('**/portal/forums/settings'), page.getByRole('button', { name: 'Save' }).click()])
  await page.goto('/portal/forums')
  await page.getByRole('link', { name: 'Best practice' }).click()
  await page.getByRole('link', { name: 'New thread' }).click()
  await page.getByRole('button', { name: 'Post thread' }).click()
  await page.getByText('Title must be at least 5 characters.').waitFor()
  await page.getByLabel('A question').check()
  await page.getByLabel('Title').fill('How long are your renewal terms?')
  await page.getByLabel('Message').fill('We offer **one year**. <script>window.hacked = true</script>')
  await page.getByLabel('Hide my company from other partners').check()
  await Promise.all([page.waitForURL('**/portal/forums/t/*'), page.getByRole('button', { name: 'Post thread' }).click()])
  const threadPath = new URL(page.url()).pathname
  await page.getByText('Your thread is posted.').waitFor()
  t.equal(await page.evaluate(() => (window as unknown as { hacked?: boolean }).hacked), undefined, 'a script in a post never runs')
  await screenshot(page, 'forums-question')

  const helper = await person(browser, baseUrl, messages, true)
  await signIn(helper.page, south.email, south.password)
  await helper.page.goto('/portal/forums')
  await helper.page.getByRole('link', { name: 'Best practice' }).click()
  await helper.page.getByRole('link', { name: 'How long are your renewal terms?', exact: true }).click()
  t.notOk((await helper.page.content()).includes('north Ltd'), 'the asker’s company is hidden from another partner')
  await helper.page.getByLabel('Your reply').fill('Three years, with a discount paid upfront.')
  await Promise.all([helper.page.waitForURL('**/portal/forums/t/*'), helper.page.getByRole('button', { name: 'Post reply' }).click()])
  await helper.page.getByText('Your reply is posted.').waitFor()
  await screenshot(helper.page, 'forums-reply-phone')

  const moderator = await person(browser, baseUrl, messages)
  await signIn(moderator.page, staff.email, staff.password)
  await moderator.page.goto(threadPath.replace('/portal/', '/admin/'))
  t.ok((await moderator.page.content()).includes('north Ltd (hidden from other partners)'), 'staff see who asked')
  await Promise.all([moderator.page.waitForURL('**/admin/forums/t/*'), moderator.page.getByRole('button', { name: 'Mark as the answer' }).click()])
  await moderator.page.getByText('Marked as the answer.').waitFor()
  await moderator.page.getByRole('heading', { name: 'The answer' }).waitFor()

  await moderator.page.goto('/admin/forums/queue')
  await moderator.page.getByRole('heading', { name: 'Moderation queue' }).waitFor()
  await screenshot(moderator.page, 'forums-queue')
  await moderator.page.goto('/admin/forums/manage')
  await screenshot(moderator.page, 'forums-manage')

  await page.goto(threadPath)
  await page.getByRole('heading', { name: 'The answer' }).waitFor()
  await screenshot(page, 'forums-answered')
  await page.goto('/portal/forums')
  await screenshot(page, 'forums-home')
  await page.getByRole('link', { name: 'Best practice' }).click()
  await screenshot(page, 'forums-threads')

  const { db, jobs } = app.diContainer.cradle
  await sql`update jobs set run_at = now() where kind = 'forums.digest'`.execute(db)
  await jobs.runDue()
  const digest = await db.selectFrom('mail_outbox').select(['subject', 'body']).where('to_address', '=', north.email).where('subject', 'like', 'Forum digest%').execute()
  t.equal(digest.length, 1, 'one digest for the asker')
  t.match(digest[0]!.body, /How long are your renewal terms\? \(Best practice\)\n- south Admin of south Ltd — marked as the answer: Three years, with a discount paid upfront\./)

  const stop = /Stop following: http:\/\/portal\.test(\S+)/.exec(digest[0]!.body)?.[1]
  const stranger = await person(browser, baseUrl, messages, true)
  await stranger.page.goto(stop!)
  await Promise.all([stranger.page.waitForLoadState(), stranger.page.getByRole('button', { name: 'Stop following' }).click()])
  await stranger.page.getByText('You will get no more e-mail about the thread “How long are your renewal terms?”.').waitFor()

  t.same(messages.filter((m) => /content security policy|refused to|pageerror/i.test(m)), [], 'no CSP violations or page errors')
  await Promise.all([helper.context.close(), moderator.context.close(), stranger.context.close()])
})
