import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

t.test('partners browse by category, latest and most helpful, and read an article with its place, contents and related articles', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const products = await createCategory(app, staff.author, 'Products')
  const sso = await createCategory(app, staff.author, 'Single sign-on', products.id)
  const empty = await createCategory(app, staff.author, 'Empty shelf')
  const long = '## Requirements\n\nA provider.\n\n## Configure\n\nSteps.\n\n### Claims\n\nE-mail.\n\n## Test\n\nSee [](/kb/articles/entra-id-setup).'
  await createArticle(app, staff, sso.id, { title: 'Okta setup', body: long, tags: 'sso, okta' })
  await createArticle(app, staff, sso.id, { title: 'Entra ID setup', body: 'Configure Entra ID.', tags: 'sso' })
  await createArticle(app, staff, products.id, { title: 'Product overview', body: 'What we sell.', audience: 'public' })
  await createArticle(app, staff, products.id, { title: 'Unpublished notes', publish: false })
  const elsewhere = await createCategory(app, staff.author, 'Troubleshooting')
  await createArticle(app, staff, elsewhere.id, { title: 'When the Okta sign-in fails', body: 'Check the clock.' })
  const partner = await createActivePartner(app, 'north')
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)

  const home = await agent.get('/portal/knowledge')
  t.equal(home.statusCode, 200)
  t.match(home.body, /<a href="\/portal\/knowledge\/categories\/[^"]+">Products<\/a> <span class="muted small">\(3\)<\/span>/, 'a category counts its subcategories’ articles')
  t.match(home.body, /Single sign-on<\/a> <span class="muted">\(2\)/)
  t.notMatch(home.body, /Empty shelf/, 'a category with nothing to read is left out')
  t.notMatch(home.body, /Unpublished notes/)
  t.match(home.body, /Latest[\s\S]*Product overview/)
  t.match(home.body, /No votes yet/)

  const category = await agent.get(`/portal/knowledge/categories/${products.id}`)
  t.match(category.body, /Okta setup[\s\S]*|Entra ID setup/)
  t.match(category.body, /Single sign-on <span class="muted">\(2\)/, 'subcategories are offered')
  t.equal((await agent.get(`/portal/knowledge/categories/${empty.id}`)).statusCode, 404)

  const article = await agent.get('/portal/knowledge/articles/okta-setup')
  t.equal(article.statusCode, 200)
  t.match(article.body, /<nav class="eyebrow" aria-label="Breadcrumbs"><a href="\/portal\/knowledge">Knowledge base<\/a> › <a [^>]+>Products<\/a> › <a [^>]+>Single sign-on<\/a><\/nav>/)
  t.match(article.body, /<nav class="kb-toc" aria-label="On this page">[\s\S]*href="#requirements"[\s\S]*href="#claims"/, 'a long article has a table of contents')
  t.match(article.body, /<a href="\/portal\/knowledge\/articles\/entra-id-setup">Entra ID setup<\/a>/, 'a link by address shows the current title, in the partner’s area')
  t.match(article.body, /Related articles[\s\S]*Entra ID setup[\s\S]*When the Okta sign-in fails/, 'sharing tags first, then more like it from the search')
  t.match(article.body, /Last updated <time datetime="/)
  t.notMatch((await agent.get('/portal/knowledge/articles/entra-id-setup')).body, /kb-toc/, 'a short one has none')
  t.equal((await agent.get('/portal/knowledge/articles/unpublished-notes')).statusCode, 404)
  t.equal((await agent.get('/portal/knowledge/articles/Not_A_Slug')).statusCode, 404)

  const visitor = new Agent(app)
  t.match((await visitor.get('/kb')).body, /Product overview/)
  t.notMatch((await visitor.get('/kb')).body, /Okta setup/)
  t.equal((await visitor.get('/kb/articles/product-overview')).statusCode, 200)
  t.notMatch((await visitor.get('/kb/articles/product-overview')).body, /Was this helpful/, 'visitors do not vote')
})

t.test('one vote per person and article, changeable, with a comment for staff', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Import guide' })
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const a = new Agent(app)
  await a.signIn(north.email, north.password)
  const b = new Agent(app)
  await b.signIn(south.email, south.password)

  const bad = await a.post('/portal/knowledge/articles/import-guide/vote', { helpful: 'maybe', comment: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Choose one of the offered values for Was this helpful/)
  t.equal((await a.post('/portal/knowledge/articles/import-guide/vote', { helpful: 'no', comment: 'Missing the Excel steps.' })).statusCode, 303)
  t.equal((await b.post('/portal/knowledge/articles/import-guide/vote', { helpful: 'yes' })).statusCode, 303)
  t.match(await knowledgeArticles.article(article.id), { helpful: 1, unhelpful: 1 })
  t.equal((await a.post('/portal/knowledge/articles/import-guide/vote', { helpful: 'yes', comment: '' })).statusCode, 303, 'a vote changes')
  t.match(await knowledgeArticles.article(article.id), { helpful: 2, unhelpful: 0 })
  t.equal((await db.selectFrom('knowledge_votes').select('user_id').execute()).length, 2, 'one row per person')
  t.match((await a.get('/portal/knowledge/articles/import-guide')).body, /You answered <strong>yes<\/strong>/)
  t.match((await a.get('/portal/knowledge')).body, /Most helpful[\s\S]*Import guide/)
  t.equal((await a.post('/portal/knowledge/articles/no-such-article/vote', { helpful: 'yes' })).statusCode, 404)
})

t.test('what an article page shows around it follows every change readers can find on the very next view, and the reader’s level', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, partners, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const sso = await createCategory(app, staff.author, 'Single sign-on')
  await partners.saveLevel(systemActor, null, { name: 'Registered', rank: 1, benefits: '' })
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: '' })
  await createArticle(app, staff, sso.id, { title: 'Okta setup', body: 'Before: [](/kb/articles/entra-id-setup).', tags: 'sso' })
  const entra = await createArticle(app, staff, sso.id, { title: 'Entra ID setup', tags: 'sso' })
  await createArticle(app, staff, sso.id, { title: 'Gold SSO extras', tags: 'sso', audience: 'levels', levelId: gold.id })
  const partner = await createActivePartner(app, 'north')
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  const related = async () => /Related articles[\s\S]*?<\/ul>/.exec((await agent.get('/portal/knowledge/articles/okta-setup')).body)?.[0] ?? ''

  const first = await related()
  t.match(first, /Entra ID setup/)
  t.notMatch(first, /Gold SSO extras/, 'an article outside the partner’s level is not offered')
  t.equal(await related(), first, 'the same on a second view')

  await sql`update knowledge_articles set title = 'Microsoft Entra setup' where id = ${entra.id}`.execute(db)
  const page = (await agent.get('/portal/knowledge/articles/okta-setup')).body
  t.match(page, /Related articles[\s\S]*Microsoft Entra setup/, 'a renamed article shows its new title among related ones at once')
  t.match(page, /<a href="\/portal\/knowledge\/articles\/entra-id-setup">Microsoft Entra setup<\/a>/, 'and where the article links to it')

  await knowledgeArticles.archive(staff.reviewer, entra.id)
  t.notMatch(await related(), /Entra/, 'an archived article is no longer offered')

  await sql`update partners set level_id = ${gold.id} where id = ${partner.partner.id}`.execute(db)
  t.match(await related(), /Gold SSO extras/, 'the partner’s new level is read on the next view')
})
