import t from 'tap'
import type { Page } from 'playwright-core'
import { createCategory, createStaffPair, staffPassword } from '../fixtures/knowledge.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { openBrowser, screenshot, skipWithoutBrowser } from './browser.ts'

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill(password)
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()])
}

const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const hostile = `## Before you start

You need an opportunity registered in the portal.

<script>window.hacked = 'script'</script>
<img src=x onerror="window.hacked = 'img'">
[Click me](javascript:window.hacked='link')

## Steps

| Step | What |
|---|---|
| 1 | Open the opportunity |
| 2 | Choose **Request quote** |

\`\`\`text
Quote number: Q-1234
\`\`\`

## After the quote

Staff answer within two days.`

t.test('staff write, illustrate, review and publish; a partner finds the article misspelt, reads it safely and votes; staff see it', { skip: skipWithoutBrowser() }, async (t) => {
  const { app, page, context, console: messages } = await openBrowser(t)
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Deal registration')
  await createCategory(app, staff.author, 'Quotes', category.id)
  const partner = await createActivePartner(app, 'north')
  const dialogs: string[] = []
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })

  await signIn(page, 'author@staff.example', staffPassword)
  await page.goto('/admin/knowledge')
  await screenshot(page, 'knowledge-admin-empty')
  await page.getByRole('link', { name: 'New article' }).first().click()
  await page.getByLabel('Title').fill('Requesting a quote for an opportunity')
  await page.getByLabel('Category').selectOption({ label: '— Quotes' })
  await page.getByLabel('Tags').fill('quotes, deals')
  await page.getByLabel('Body (Markdown)').fill(hostile)
  await Promise.all([page.waitForURL('**/admin/knowledge/articles/*'), page.getByRole('button', { name: 'Save draft' }).click()])
  const draftUrl = page.url()
  await page.getByLabel('Image or file').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: Buffer.from(onePixelPng, 'base64') })
  await page.getByRole('button', { name: 'Attach' }).click()
  await page.getByText('Attached diagram.png.').waitFor()
  const imageMarkdown = await page.locator('#attachments code').first().innerText()
  t.match(imageMarkdown, /^!\[diagram\.png\]\(\/kb\/files\/[0-9a-f-]{36}\)$/, 'the page says how to show the image')
  await page.goto(`${draftUrl}/edit`)
  await page.getByLabel('Body (Markdown)').fill(`${imageMarkdown}\n\n${hostile}`)
  await page.getByLabel('Change note').fill('Diagram added')
  await Promise.all([page.waitForURL(draftUrl), page.getByRole('button', { name: 'Save new version' }).click()])
  t.ok(await page.locator('.kb-prose img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1), 'staff see the image in the preview')
  await page.getByRole('button', { name: 'Send for review' }).click()
  await page.getByText('Waiting for another member of staff').waitFor()
  t.equal(await page.evaluate(() => (window as unknown as { hacked?: string }).hacked ?? null), null, 'the preview ran nothing')
  await screenshot(page, 'knowledge-admin-review')
  const articleUrl = page.url()

  const reviewerContext = await context.browser()!.newContext({ baseURL: new URL(articleUrl).origin, viewport: { width: 1280, height: 800 } })
  const reviewer = await reviewerContext.newPage()
  await signIn(reviewer, 'reviewer@staff.example', staffPassword)
  await reviewer.goto(articleUrl)
  await reviewer.getByLabel('Who reads it').selectOption('partners')
  await reviewer.getByRole('button', { name: 'Save audience' }).click()
  await reviewer.getByText('Audience saved.').waitFor()
  await reviewer.getByRole('button', { name: 'Approve' }).click()
  await reviewer.getByText('Approved and published.').waitFor()
  await screenshot(reviewer, 'knowledge-admin-published')

  const partnerContext = await context.browser()!.newContext({ baseURL: new URL(articleUrl).origin, viewport: { width: 1280, height: 800 } })
  const reader = await partnerContext.newPage()
  const readerMessages: string[] = []
  reader.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })
  reader.on('pageerror', (err) => readerMessages.push(`pageerror: ${err.message}`))
  reader.on('console', (m) => readerMessages.push(`${m.type()}: ${m.text()}`))
  await signIn(reader, partner.email, partner.password)
  await reader.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Knowledge' }).click()
  await reader.getByRole('heading', { name: 'Knowledge base' }).waitFor()
  await screenshot(reader, 'knowledge-portal-home')
  await reader.getByLabel('Search the knowledge base').fill('quote oportunity')
  await Promise.all([reader.waitForURL('**/portal/knowledge/search?**'), reader.getByRole('button', { name: 'Search' }).click()])
  const result = reader.locator('.kb-result').first()
  await result.waitFor()
  t.match(await result.innerText(), /Requesting a quote for an opportunity/, 'found despite the misspelling')
  t.ok(await result.locator('mark').count() > 0, 'with the words highlighted')
  await screenshot(reader, 'knowledge-portal-search')
  await Promise.all([reader.waitForURL('**/portal/knowledge/articles/*'), result.getByRole('heading').getByRole('link').click()])
  await reader.getByRole('navigation', { name: 'On this page' }).waitFor()
  t.ok(await reader.getByRole('table').isVisible(), 'the table renders')
  const image = reader.locator('.kb-prose img')
  t.match(await image.getAttribute('src'), /^\/portal\/knowledge\/files\//, 'the image comes through the portal, in the partner’s area')
  t.ok(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1), 'and loads')
  t.ok(await reader.getByText('Quote number: Q-1234').isVisible(), 'the code block renders')
  t.equal(await reader.evaluate(() => (window as unknown as { hacked?: string }).hacked ?? null), null, 'nothing in the article ran')
  await reader.getByText('Click me').click().catch(() => {})
  t.equal(await reader.evaluate(() => (window as unknown as { hacked?: string }).hacked ?? null), null, 'the javascript: link is no link')
  await reader.getByLabel('Yes').check()
  await reader.getByLabel('Comment (only staff read it)').fill('Clear steps, thanks.')
  await reader.getByRole('button', { name: 'Send' }).click()
  await reader.getByText('Thank you for your feedback.').waitFor()
  await screenshot(reader, 'knowledge-portal-article')

  await reviewer.goto('/admin/knowledge/insight')
  await reviewer.getByText('Clear steps, thanks.').waitFor()
  t.match(await reviewer.locator('main').innerText(), /Most helpful[\s\S]*Requesting a quote for an opportunity/, 'the insight page shows the vote')
  t.match(await reviewer.locator('main').innerText(), /Most read[\s\S]*Requesting a quote for an opportunity/, 'and the reading')
  await screenshot(reviewer, 'knowledge-admin-insight')

  await page.goto(`${articleUrl}/edit`)
  await page.getByLabel('Body (Markdown)').fill((await page.getByLabel('Body (Markdown)').inputValue()).replace('two days', 'one day'))
  await page.getByLabel('Change note').fill('Faster answers')
  await Promise.all([page.waitForURL(articleUrl), page.getByRole('button', { name: 'Save new version' }).click()])
  await page.getByRole('link', { name: 'All versions and differences' }).click()
  await page.locator('ins', { hasText: 'one' }).waitFor()
  await screenshot(page, 'knowledge-admin-versions')

  const visitor = await context.browser()!.newContext({ baseURL: new URL(articleUrl).origin, viewport: { width: 390, height: 844 } })
  const visitorPage = await visitor.newPage()
  t.equal((await visitorPage.goto('/kb/articles/requesting-a-quote-for-an-opportunity'))?.status(), 404, 'visitors do not read a partners’ article')
  await visitorPage.goto('/kb')
  await screenshot(visitorPage, 'knowledge-public-home')

  t.same(dialogs, [], 'no script opened a dialog')
  const all = [...messages, ...readerMessages]
  t.same(all.filter((m) => /content security policy|content-security-policy|refused to/i.test(m)), [], 'no CSP violations')
  t.same(all.filter((m) => /^(pageerror):/.test(m)), [], 'no page errors')
  await Promise.all([reviewerContext.close(), partnerContext.close(), visitor.close()])
})
