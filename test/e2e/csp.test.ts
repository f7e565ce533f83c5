import t from 'tap'
import { openBrowser, skipWithoutBrowser } from './browser.ts'

// Also proves that the harness sees CSP violations, so "no CSP errors" checks elsewhere mean something.
t.test('the CSP stops inline script in a real browser, and the console says so', { skip: skipWithoutBrowser() }, async (t) => {
  const { page } = await openBrowser(t)
  await page.goto('/signin')
  const violation = page.waitForEvent('console', { predicate: (m) => /content security policy/i.test(m.text()), timeout: 10_000 })
  await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'document.body.dataset.inlineRan = "yes"'
    document.body.append(script)
  })
  t.match((await violation).text(), /script-src/, 'the violation reached the console, naming script-src')
  t.equal(await page.evaluate(() => document.body.dataset.inlineRan ?? null), null, 'the inline script did not run')
})
