import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair, staffPassword } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

t.test('views are counted in memory and written in one batch', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeEngagement, knowledgeArticles, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Popular guide', audience: 'public' })
  const visitor = new Agent(app)
  for (let i = 0; i < 3; i++) t.equal((await visitor.get('/kb/articles/popular-guide')).statusCode, 200)
  t.equal((await knowledgeArticles.article(article.id)).views, 0, 'no write per view')
  t.same(await db.selectFrom('knowledge_views').selectAll().execute(), [])
  await knowledgeEngagement.flush()
  t.equal((await knowledgeArticles.article(article.id)).views, 3)
  t.match(await db.selectFrom('knowledge_views').select('views').execute(), [{ views: 3 }], 'one row per article and day')
  await visitor.get('/kb/articles/popular-guide')
  await knowledgeEngagement.flush()
  t.match(await db.selectFrom('knowledge_views').select('views').execute(), [{ views: 4 }])
})

t.test('required reading: partners acknowledge it, and again after a material change; staff see who did', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Policies')
  const code = await createArticle(app, staff, category.id, { title: 'Code of conduct', required: true, body: 'Be honest.' })
  await createArticle(app, staff, category.id, { title: 'Newest tips', body: 'Tips.' })
  const partner = await createActivePartner(app, 'north')
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)

  const dashboard = await agent.get('/portal')
  t.match(dashboard.body, /To read[\s\S]*Code of conduct<\/a> <span class="badge badge-pending">required/, 'the dashboard asks for it')
  t.match(dashboard.body, /New articles[\s\S]*Newest tips/)
  const page = await agent.get('/portal/knowledge/articles/code-of-conduct')
  t.match(page.body, /Required reading[\s\S]*I have read it/)
  t.equal((await agent.post('/portal/knowledge/articles/newest-tips/acknowledge')).statusCode, 404, 'only required reading is acknowledged')
  t.equal((await agent.post('/portal/knowledge/articles/code-of-conduct/acknowledge')).statusCode, 303)
  t.match((await agent.get('/portal/knowledge/articles/code-of-conduct')).body, /You confirmed reading it on/)
  t.match((await agent.get('/portal')).body, /Nothing left to read/)

  const form = { title: 'Code of conduct', slug: code.slug, category_id: category.id, tags: '', body: 'Be honest. Typo fixed.', note: 'Typo', material: false }
  await knowledgeArticles.update(staff.author, code.id, form)
  t.match((await agent.get('/portal')).body, /Nothing left to read/, 'a change that is not material asks nothing')
  await knowledgeArticles.update(staff.author, code.id, { ...form, body: 'Be honest. Report breaches within a day.', note: 'Reporting rule', material: true })
  t.match((await agent.get('/portal')).body, /Code of conduct<\/a> <span class="badge badge-pending">changed/, 'a material change asks again')
  t.match((await agent.get('/portal/knowledge/articles/code-of-conduct')).body, /It changed since you confirmed reading it/)

  const reviewer = new Agent(app)
  await reviewer.signIn('reviewer@staff.example', staffPassword)
  const before = await reviewer.get(`/admin/knowledge/articles/${code.id}`)
  t.match(before.body, /0 people have acknowledged version 3 or later/)
  t.match(before.body, /north Admin, north Ltd — v1 <span class="badge badge-pending">before the last material change/)
  await agent.post('/portal/knowledge/articles/code-of-conduct/acknowledge')
  t.match((await reviewer.get(`/admin/knowledge/articles/${code.id}`)).body, /1 person has acknowledged version 3 or later/)
})

t.test('staff insight shows what was read, rated, commented and searched for in vain', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  await createArticle(app, staff, category.id, { title: 'Import guide', body: 'Import a CSV.' })
  await createArticle(app, staff, category.id, { title: 'Export guide', body: 'Export a CSV.' })
  const partner = await createActivePartner(app, 'north')
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  const reviewer = new Agent(app)
  await reviewer.signIn('reviewer@staff.example', staffPassword)

  t.match((await reviewer.get('/admin/knowledge/insight')).body, /No views in this period[\s\S]*Every search found something[\s\S]*Every search that found articles led to one being opened/)
  await agent.get('/portal/knowledge/articles/import-guide')
  await agent.get('/portal/knowledge/articles/import-guide')
  await agent.get('/portal/knowledge/articles/export-guide')
  await agent.post('/portal/knowledge/articles/import-guide/vote', { helpful: 'no', comment: 'Needs an Excel example.' })
  await agent.post('/portal/knowledge/articles/export-guide/vote', { helpful: 'yes' })
  await agent.get('/portal/knowledge/search?q=salesforce+sync')
  await agent.get('/portal/knowledge/search?q=salesforce+sync')
  await agent.get('/portal/knowledge/search?q=import')
  const guides = await agent.get('/portal/knowledge/search?q=guide')
  t.equal((await agent.get('/portal/knowledge/search?q=export')).statusCode, 200)
  const opened = /href="(\/portal\/knowledge\/articles\/export-guide\?search=[0-9a-f-]{36})"/.exec(guides.body)?.[1]
  t.ok(opened, 'a result links back to its search')
  t.equal((await agent.get(opened!)).statusCode, 200)
  t.equal((await agent.get(opened!)).statusCode, 200, 'opening it again is fine')
  t.equal((await agent.get('/portal/knowledge/articles/export-guide?search=not-an-id')).statusCode, 200, 'a stray search id is ignored')

  const insight = await reviewer.get('/admin/knowledge/insight?days=7')
  t.equal(insight.statusCode, 200)
  t.match(insight.body, /Most read[\s\S]*Export guide<\/a> <span class="muted small">4 views[\s\S]*Import guide<\/a> <span class="muted small">2 views/)
  t.match(insight.body, /Searches with no result[\s\S]*salesforce sync<\/td><td data-label="Times">2/)
  t.notMatch(insight.body, /Searches with no result[\s\S]*<td data-label="Search">import<\/td>[\s\S]*Searches followed by no click/)
  const unclicked = insight.body.split('Searches followed by no click')[1]!.split('Feedback comments')[0]!
  t.match(unclicked, /<td data-label="Search">import<\/td><td data-label="No click">1<\/td><td data-label="Searched">1/, 'a search whose results nobody opened')
  t.match(unclicked, /<td data-label="Search">export<\/td><td data-label="No click">1</)
  t.notMatch(unclicked, /salesforce sync|>guide</, 'neither a search without results nor one whose result was opened')
  t.match(insight.body, /Most helpful[\s\S]*Export guide/)
  t.match(insight.body, /Least helpful[\s\S]*Import guide/)
  t.match(insight.body, /Needs an Excel example\.[\s\S]*north Admin/)
  t.equal((await agent.get('/admin/knowledge/insight')).statusCode, 403)
})
