import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair, staffPassword } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

t.test('chosen companies are picked by search: the page lists the chosen and the first matches, never every partner', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Playbook', body: 'For some.', publish: false })
  const partners = []
  for (let i = 1; i <= 24; i++) partners.push(await createActivePartner(app, `firm${String(i).padStart(2, '0')}`))
  const agent = new Agent(app)
  await agent.signIn('author@staff.example', staffPassword)
  const url = `/admin/knowledge/articles/${article.id}`
  const ticked = (html: string) => [...html.matchAll(/name="audience_partner_ids" value="([^"]+)" checked/g)].map((m) => m[1])
  const listed = (html: string) => (html.match(/name="audience_partner_ids"/g) ?? []).length

  const page = await agent.get(url)
  t.equal(page.statusCode, 200)
  t.equal(listed(page.body), 20, 'the first twenty partners, not all twenty-four')
  t.match(page.body, /Showing the first 20 — type more to narrow/)

  const chosen = [partners[22]!.partner.id, partners[23]!.partner.id]
  t.equal((await agent.post(`${url}/audience`, { audience: 'companies', audience_partner_ids: chosen })).statusCode, 303)
  const saved = await agent.get(url)
  t.same(ticked(saved.body).sort(), [...chosen].sort(), 'the chosen companies are listed ticked, though past the first twenty')

  const options = await agent.get(`/admin/partners/options/many?field=audience_partner_ids&q=firm0&audience_partner_ids=${chosen[0]}`, { 'hx-request': 'true' })
  t.equal(options.statusCode, 200)
  t.notMatch(options.body, /<html/, 'htmx gets the choices alone')
  t.same(ticked(options.body), [chosen[0]], 'what is ticked stays ticked while searching')
  t.equal(listed(options.body), 10, 'the chosen one and the nine firms matching firm0')

  const noScript = await agent.get(`${url}?q=firm1&audience=companies&audience_partner_ids=${chosen[1]}`)
  t.equal(noScript.statusCode, 200)
  t.same(ticked(noScript.body), [chosen[1]])
  t.equal(listed(noScript.body), 11, 'the chosen one and the ten firms matching firm1')
  t.match(noScript.body, /<option value="companies" selected/, 'the rest of the form is kept')
  t.ok(Buffer.byteLength(page.body) < 20_000, `the page is ${Buffer.byteLength(page.body)} bytes`)
})
