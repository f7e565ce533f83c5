import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import type { Reader } from '../../../core/identity/audience.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { updateArticleContent } from '../../../modules/knowledge/knowledge.repository.ts'
import { searchRanked, searchReadable } from '../../../modules/knowledge/reading.repository.ts'

t.test('search ranks, highlights, forgives typos, reads web-search syntax and filters', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeReading, knowledgeReaders, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const deals = await createCategory(app, staff.author, 'Deals')
  const products = await createCategory(app, staff.author, 'Products')
  const sso = await createCategory(app, staff.author, 'Single sign-on', products.id)
  await createArticle(app, staff, products.id, { title: 'Pricing overview', body: 'Every opportunity starts with a price list. Prices change yearly.', tags: 'pricing' })
  await createArticle(app, staff, deals.id, { title: 'How to register an opportunity', body: 'Register it early to protect the deal.', tags: 'deals' })
  await createArticle(app, staff, sso.id, { title: 'Okta setup', body: 'Configure SAML in Okta. The identity provider signs the assertion.', tags: 'sso, saml' })
  await createArticle(app, staff, sso.id, { title: 'Entra ID setup', body: 'Configure SAML in Entra ID for single sign-on.', tags: 'sso' })
  const partner = await createActivePartner(app, 'north')
  const reader = await knowledgeReaders.of(await viewerFor(app, partner.admin.id))
  const search = (q: string, extra: { category?: string; tag?: string; page?: number } = {}) =>
    knowledgeReading.search(reader, { q, page: 1, ...extra }).then((r) => r.results)
  const titles = async (q: string, extra = {}) => (await search(q, extra)).items.map((i) => i.slug)

  t.same(await titles('opportunity'), ['how-to-register-an-opportunity', 'pricing-overview'], 'a title match ranks above a body match')
  const [hit] = (await search('opportunity')).items
  t.match(hit!.title_html, 'How to register an <mark>opportunity</mark>')
  t.match((await search('price list')).items[0]!.snippet, /<mark>price<\/mark> <mark>list<\/mark>/, 'the snippet marks the words found')

  t.same(await titles('oportunity'), ['how-to-register-an-opportunity', 'pricing-overview'], 'a misspelt word finds the right one')
  t.same(await titles('registr opportunty'), ['how-to-register-an-opportunity'])
  t.same(await titles('okta'), ['okta-setup'])
  t.same(await titles('"identity provider"'), ['okta-setup'], 'quotes: a phrase')
  t.same(await titles('"provider identity"'), [], 'a phrase in another order is not found')
  t.same(await titles('saml -okta'), ['entra-id-setup'], '-word leaves out')
  t.same((await titles('okta or pricing')).sort(), ['okta-setup', 'pricing-overview'], 'or')
  t.same((await titles('configure', { category: products.id })).sort(), ['entra-id-setup', 'okta-setup'], 'a category includes its subcategories')
  t.same(await titles('configure', { category: deals.id }), [])
  t.same(await titles('setup', { tag: 'saml' }), ['okta-setup'], 'filtered by tag')
  t.equal((await search('zebra')).total, 0)

  t.equal((await db.selectFrom('knowledge_searches').select('id').execute()).length, 0, 'searches are logged in memory first')
  await app.diContainer.cradle.knowledgeReading.flushSearches()
  const logged = await db.selectFrom('knowledge_searches').select(['query', 'results']).orderBy('searched_at').execute()
  t.match(logged.find((l) => l.query === 'zebra'), { results: 0 }, 'searches are logged with their number of results')
})

t.test('results come in pages of ten', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  for (let i = 1; i <= 12; i++) await createArticle(app, staff, category.id, { title: `Guide number ${i}`, body: 'A guide about widgets.', audience: 'public' })
  const visitor = new Agent(app)
  const first = await visitor.get('/kb/search?q=widgets')
  t.equal(first.statusCode, 200)
  t.match(first.body, /12 articles found/)
  t.equal((first.body.match(/class="kb-result"/g) ?? []).length, 10)
  t.match(first.body, /href="\/kb\/search\?q=widgets&amp;search=[0-9a-f-]{36}&amp;page=2">Next page/)
  const second = await visitor.get('/kb/search?q=widgets&page=2')
  t.equal((second.body.match(/class="kb-result"/g) ?? []).length, 2)
  t.match(second.body, /Previous page/)
  t.notMatch(second.body, /Next page/)
  const fragment = await visitor.get('/kb/search?q=widgets', { 'hx-request': 'true' })
  t.notMatch(fragment.body, /<html/, 'htmx gets the results alone')
  t.match((await visitor.get('/kb/search?q=nothing-like-it')).body, /Nothing found for/)
  t.match((await visitor.get('/kb/search?q=%22unclosed')).body, /Nothing found|articles? found/, 'malformed syntax is no error')
})

t.test('a saved change is searchable in the transaction that saves it', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, knowledgeReading, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Widgets', body: 'About widgets.' })
  const staffReader: Reader = { kind: 'staff' }
  const form = { title: 'Widgets', slug: article.slug, category_id: category.id, tags: '', body: 'About gizmos now.', note: 'Gizmos', material: false }

  t.equal((await knowledgeReading.search(staffReader, { q: 'gizmos', page: 1 })).results.total, 0)
  await t.rejects(db.transaction().execute(async (trx) => {
    await updateArticleContent(trx, article.id, { title: form.title, slug: form.slug, category_id: form.category_id, body: form.body, tags: [] }, { version: 2, material: false })
    const inside = await searchReadable(trx, staffReader, { text: 'gizmos', corrected: null }, 10, 0)
    t.equal(inside.length, 1, 'visible inside the saving transaction, before it commits')
    throw new Error('roll back')
  }), /roll back/)
  t.equal((await knowledgeReading.search(staffReader, { q: 'gizmos', page: 1 })).results.total, 0, 'a rolled-back save is not searchable')
  await knowledgeArticles.update(staff.author, article.id, form)
  t.equal((await knowledgeReading.search(staffReader, { q: 'gizmos', page: 1 })).results.total, 1, 'the committed save is, at once')
  t.equal((await knowledgeReading.search(staffReader, { q: 'widgets about', page: 1 })).results.items[0]?.slug, 'widgets')
})

t.test('a word in more articles than are ranked: the newest are ranked, and the total says "more than"', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  await createArticle(app, staff, category.id, { title: 'Widgets everywhere', body: 'About widgets.', audience: 'public' })
  await sql`insert into knowledge_articles (slug, category_id, title, body, body_text, status, audience, author_name, published_at, search)
    select 'widget-note-' || n, ${category.id}, 'Widget note ' || n, 'Widgets again.', 'Widgets again.', 'published', 'public', 'Ann Author',
      now() - n * interval '1 hour', to_tsvector('english', 'Widget note ' || n || ' widgets again')
    from generate_series(1, ${searchRanked + 5}) n`.execute(db)
  const visitor = new Agent(app)
  const first = await visitor.get('/kb/search?q=widgets')
  t.match(first.body, new RegExp(`More than ${searchRanked} articles found`))
  const last = await visitor.get(`/kb/search?q=widgets&page=${searchRanked / 10}`)
  t.equal((last.body.match(/class="kb-result"/g) ?? []).length, 10)
  t.notMatch(last.body, /Next page/, 'the ranked matches end the pages')
  t.match((await visitor.get(`/kb/search?q=widgets&page=${searchRanked / 10 + 1}`)).body, /No more results/)
})

t.test('a search answered from memory still finds a change on the very next search', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, knowledgeArticles, partners } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const other = await createCategory(app, staff.author, 'Other')
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const found = async (query = 'q=walrus') => [...(await agent.get(`/portal/knowledge/search?${query}`)).body.matchAll(/\/portal\/knowledge\/articles\/([a-z0-9-]+)\?/g)].map((m) => m[1])
  const version = async () => (await db.selectFrom('knowledge_version').select('version').executeTakeFirstOrThrow()).version

  const first = await createArticle(app, staff, category.id, { title: 'Walrus guide', body: 'All about the walrus.', audience: 'partners' })
  t.same(await found(), ['walrus-guide'])
  t.same(await found(), ['walrus-guide'], 'the same answer again')
  const before = await version()
  const second = await createArticle(app, staff, category.id, { title: 'Walrus care', body: 'Feeding the walrus.', audience: 'partners' })
  t.ok(BigInt(await version()) > BigInt(before), 'publishing raised the version')
  t.same((await found()).sort(), ['walrus-care', 'walrus-guide'], 'a new article is found at once')

  await knowledgeArticles.archive(staff.reviewer, first.id)
  t.same(await found(), ['walrus-care'], 'an archived article is gone at once')
  const gold = await partners.saveLevel(staff.author, null, { name: 'Diamond', rank: 9, benefits: 'More' })
  await knowledgeArticles.setAudience(staff.reviewer, second.id, { audience: 'levels', audience_level_id: gold.id, audience_partner_ids: [], required: false, review_by: '' })
  t.same(await found(), [], 'an audience the reader left is gone at once')
  await knowledgeArticles.setAudience(staff.reviewer, second.id, { audience: 'partners', audience_level_id: '', audience_partner_ids: [], required: false, review_by: '' })
  t.same(await found(`q=walrus&category=${category.id}`), ['walrus-care'])
  await sql`update knowledge_articles set category_id = ${other.id} where id = ${second.id}`.execute(db)
  t.same(await found(`q=walrus&category=${category.id}`), [], 'a move out of the category is seen at once')
  const views = await version()
  await sql`update knowledge_articles set views = views + 5, helpful = helpful + 1`.execute(db)
  t.equal(await version(), views, 'counting views and votes changes nothing a search finds')
})

t.test('a search is logged with its id at once and written in a batch; an opened result marks it, before or after the write', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, knowledgeReading } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  await createArticle(app, staff, category.id, { title: 'Okapi guide', body: 'About the okapi.', audience: 'public' })
  const visitor = new Agent(app)
  const searchOf = async (q: string) => /href="\/kb\/articles\/okapi-guide\?search=([0-9a-f-]{36})"/.exec((await visitor.get(`/kb/search?q=${q}`)).body)![1]!
  const early = await searchOf('okapi')
  await visitor.get(`/kb/articles/okapi-guide?search=${early}`)
  const late = await searchOf('okapi+guide')
  await searchOf('guide')
  await knowledgeReading.flushSearches()
  await visitor.get(`/kb/articles/okapi-guide?search=${late}`)
  await knowledgeReading.flushSearches()
  const rows = await db.selectFrom('knowledge_searches').select(['id', 'query', 'clicked_at']).orderBy('searched_at').execute()
  t.same(rows.map((r) => [r.query, r.clicked_at !== null]), [['okapi', true], ['okapi guide', true], ['guide', false]])
  t.same(rows.slice(0, 2).map((r) => r.id), [early, late], 'the ids the results carried')
})
