import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair, staffPassword } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

t.test('an article goes from draft through review to published and archived; a second member of staff reviews', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Products')
  const partner = await createActivePartner(app, 'north')
  const reader = new Agent(app)
  await reader.signIn(partner.email, partner.password)

  const draft = await createArticle(app, staff, category.id, { title: 'Setting up single sign-on', body: '## Steps\n\nUse SAML.', publish: false })
  t.equal(draft.status, 'draft')
  t.equal((await reader.get('/portal/knowledge/articles/setting-up-single-sign-on')).statusCode, 404, 'a draft is not read')

  await t.rejects(knowledgeArticles.approve(staff.reviewer, draft.id, { publish_at: '' }), /it cannot be changed that way now/, 'a draft is not approved')
  await knowledgeArticles.submit(staff.author, draft.id)
  await t.rejects(knowledgeArticles.approve(staff.author, draft.id, { publish_at: '' }), /Someone else reviews/, 'the author does not approve their own')
  await t.rejects(knowledgeArticles.sendBack(staff.author, draft.id, 'x'), /Someone else reviews/)
  t.equal((await reader.get('/portal/knowledge/articles/setting-up-single-sign-on')).statusCode, 404, 'in review is not read')

  const sentBack = await knowledgeArticles.sendBack(staff.reviewer, draft.id, 'Add the Okta steps.')
  t.match(sentBack, { status: 'draft', review_comment: 'Add the Okta steps.' })
  await knowledgeArticles.submit(staff.author, draft.id)
  const published = await knowledgeArticles.approve(staff.reviewer, draft.id, { publish_at: '' })
  t.equal(published.status, 'published')
  t.ok(published.published_at)
  t.equal((await reader.get('/portal/knowledge/articles/setting-up-single-sign-on')).statusCode, 200, 'published: partners read it')

  await knowledgeArticles.archive(staff.reviewer, draft.id)
  t.equal((await reader.get('/portal/knowledge/articles/setting-up-single-sign-on')).statusCode, 404, 'archived: gone for readers')
  await t.rejects(knowledgeArticles.update(staff.author, draft.id, { title: 'x', slug: '', category_id: category.id, tags: '', body: 'x', note: '', material: false }), /archived article cannot be edited/)
  t.equal((await knowledgeArticles.reopen(staff.author, draft.id)).status, 'draft')

  const actions = await db.selectFrom('audit_log').select('action').where('entity_id', '=', draft.id).orderBy('at').orderBy('id').execute()
  t.same(actions.map((a) => a.action), ['knowledge.article-created', 'knowledge.audience-changed', 'knowledge.article-submitted', 'knowledge.article-sent-back',
    'knowledge.article-submitted', 'knowledge.article-approved', 'knowledge.article-archived', 'knowledge.article-reopened'])
})

t.test('a scheduled article is published by the job once its time has come', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, jobs, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'News')
  const article = await createArticle(app, staff, category.id, { title: 'Price list 2027', audience: 'public', publish: false })
  await knowledgeArticles.submit(staff.author, article.id)
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16)
  const scheduled = await knowledgeArticles.approve(staff.reviewer, article.id, { publish_at: inAnHour })
  t.equal(scheduled.status, 'scheduled')
  t.equal(scheduled.publish_at?.toISOString().slice(0, 16), inAnHour)

  await jobs.runDue()
  t.equal((await knowledgeArticles.article(article.id)).status, 'scheduled', 'nothing is published before its time')
  t.equal((await new Agent(app).get('/kb/articles/price-list-2027')).statusCode, 404)

  // The clock moves on: the job and the article's time are now in the past.
  await sql`update jobs set run_at = now() - interval '1 minute' where kind = 'knowledge.publish'`.execute(db)
  await sql`update knowledge_articles set publish_at = now() - interval '1 minute' where id = ${article.id}`.execute(db)
  t.equal(await jobs.runDue(), 1)
  const live = await knowledgeArticles.article(article.id)
  t.equal(live.status, 'published')
  t.ok(live.published_at)
  t.equal((await new Agent(app).get('/kb/articles/price-list-2027')).statusCode, 200)

  const other = await createArticle(app, staff, category.id, { title: 'Cancelled launch', publish: false })
  await knowledgeArticles.submit(staff.author, other.id)
  await knowledgeArticles.approve(staff.reviewer, other.id, { publish_at: inAnHour })
  await knowledgeArticles.reopen(staff.author, other.id)
  await sql`update jobs set run_at = now() - interval '1 minute' where kind = 'knowledge.publish' and done_at is null`.execute(db)
  await jobs.runDue()
  t.equal((await knowledgeArticles.article(other.id)).status, 'draft', 'a schedule cancelled before its time publishes nothing')
})

t.test('every save is a version; versions are compared and restored', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Products')
  const article = await createArticle(app, staff, category.id, { title: 'Import guide', body: 'Upload the CSV file.', tags: 'csv' })
  const form = { title: 'Import guide', slug: article.slug, category_id: category.id, tags: 'csv, import', body: 'Upload the spreadsheet file, then check it.', note: 'Spreadsheets too', material: true }
  const v2 = await knowledgeArticles.update(staff.reviewer, article.id, form)
  t.match(v2, { version: 2, material_version: 2 })

  const versions = await knowledgeArticles.versions(article.id)
  t.match(versions, [{ version: 2, note: 'Spreadsheets too', material: true, author_name: 'Rex Reviewer' }, { version: 1, note: 'First version', author_name: 'Ann Author' }])
  const diff = await knowledgeArticles.diff(article.id, 1, 2)
  t.ok(diff.body.some((part) => part.removed && part.value.includes('CSV')))
  t.ok(diff.body.some((part) => part.added && part.value.includes('spreadsheet')))
  t.ok(diff.tags.some((part) => part.added && part.value.includes('import')))

  const restored = await knowledgeArticles.restore(staff.author, article.id, 1)
  t.match(restored, { version: 3, body: 'Upload the CSV file.', tags: ['csv'], material_version: 2 })
  t.match((await knowledgeArticles.versions(article.id))[0], { version: 3, note: 'Restored version 1' })
  await t.rejects(knowledgeArticles.diff(article.id, 1, 9), /The version was not found/)
})

t.test('staff pages: write, validate, review, compare and restore through the forms', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Products')
  const child = await createCategory(app, staff.author, 'Integrations', category.id)
  const author = new Agent(app)
  await author.signIn('author@staff.example', staffPassword)
  const reviewer = new Agent(app)
  await reviewer.signIn('reviewer@staff.example', staffPassword)

  t.equal((await author.get('/admin/knowledge')).statusCode, 200)
  t.match((await author.get('/admin/knowledge')).body, /No articles yet/)
  const form = await author.get('/admin/knowledge/new')
  t.match(form.body, /— Integrations/, 'nested categories are offered indented')

  const bad = await author.post('/admin/knowledge/articles', { title: '', slug: 'Bad Slug', category_id: 'x', body: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Title is required/)
  t.match(bad.body, /Address must be lower-case letters/)
  t.match(bad.body, /Choose a category/)
  t.match(bad.body, /Body is required/)

  const created = await author.post('/admin/knowledge/articles', { title: 'Webhooks', slug: '', category_id: child.id, tags: 'API, webhooks', body: '## Events\n\nSee [](/kb/articles/webhooks).', note: '' })
  t.equal(created.statusCode, 303)
  const url = created.headers.location as string
  const duplicate = await author.post('/admin/knowledge/articles', { title: 'Webhooks', slug: '', category_id: child.id, body: 'x' })
  t.equal(duplicate.statusCode, 422)
  t.match(duplicate.body, /Another article has this address/)

  const page = await author.get(url)
  t.match(page.body, /Products<\/a>|Products/)
  t.match(page.body, /Send for review/)
  t.match(page.body, /<h2 id="events">Events<\/h2>/)
  t.equal((await author.post(`${url}/submit`)).statusCode, 303)
  t.match((await author.get(url)).body, /Waiting for another member of staff/)
  t.notMatch((await author.get(url)).body, /Approve<\/button>/)
  const noComment = await reviewer.post(`${url}/send-back`, { comment: '' })
  t.equal(noComment.statusCode, 422)
  t.match(noComment.body, /Comment is required/)
  const badTime = await reviewer.post(`${url}/approve`, { publish_at: 'tomorrow' })
  t.equal(badTime.statusCode, 422)
  t.match(badTime.body, /Publish at must be a date and time/)
  t.equal((await reviewer.post(`${url}/approve`, { publish_at: '' })).statusCode, 303)
  t.match((await author.get(url)).body, /Published/)

  const edit = await author.post(url, { title: 'Webhooks reference', slug: 'webhooks', category_id: child.id, tags: 'api', body: '## Events\n\nAll of them.', note: 'Renamed' })
  t.equal(edit.statusCode, 303)
  const versions = await author.get(`${url}/versions`)
  t.match(versions.body, /<del>Webhooks<\/del>|<ins>Webhooks reference<\/ins>|<ins> reference<\/ins>/)
  t.match(versions.body, /Renamed/)
  t.equal((await author.post(`${url}/versions/1/restore`)).statusCode, 303)
  t.match((await author.get(url)).body, /Restored version 1/)
  t.equal((await author.get(`${url}/versions?from=1&to=99`)).statusCode, 404)

  const audience = await author.post(`${url}/audience`, { audience: 'levels', audience_level_id: '' })
  t.equal(audience.statusCode, 422)
  t.match(audience.body, /Choose the lowest level that reads it/)
  const companies = await author.post(`${url}/audience`, { audience: 'companies' })
  t.match(companies.body, /Choose at least one partner/)
  t.equal((await author.post(`${url}/audience`, { audience: 'public', review_by: '2027-01-31' })).statusCode, 303)

  const partner = await createActivePartner(app, 'north')
  const outsider = new Agent(app)
  await outsider.signIn(partner.email, partner.password)
  t.equal((await outsider.get('/admin/knowledge')).statusCode, 403, 'partners never reach the staff pages')
  t.equal((await outsider.post(`${url}/approve`, { publish_at: '' })).statusCode, 403)
})

t.test('categories nest, keep their order, refuse a cycle and are removed only when empty', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createStaffPair(app)
  const admin = new Agent(app)
  await admin.signIn('author@staff.example', staffPassword)
  const { knowledgeCategories } = app.diContainer.cradle

  t.match((await admin.get('/admin/knowledge/categories')).body, /No categories yet/)
  t.equal((await admin.post('/admin/knowledge/categories', { name: 'Products', description: 'What we sell', parent_id: '', position: '2' })).statusCode, 303)
  t.equal((await admin.post('/admin/knowledge/categories', { name: 'Getting started', description: '', parent_id: '', position: '1' })).statusCode, 303)
  const bad = await admin.post('/admin/knowledge/categories', { name: '', parent_id: 'x', position: '-1' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Name is required/)
  t.match(bad.body, /Position must be a whole number/)
  const { flat } = await knowledgeCategories.tree()
  t.same(flat.map((c) => c.name), ['Getting started', 'Products'], 'ordered by position')
  const products = flat[1]!
  const integrations = await createCategory(app, staff.author, 'Integrations', products.id)
  const sso = await createCategory(app, staff.author, 'Single sign-on', integrations.id)
  const tree = await knowledgeCategories.tree()
  t.same(tree.flat.map((c) => [c.name, c.depth]), [['Getting started', 0], ['Products', 0], ['Integrations', 1], ['Single sign-on', 2]])

  const cycle = await admin.post(`/admin/knowledge/categories/${products.id}`, { name: 'Products', description: '', parent_id: sso.id, position: '2' })
  t.equal(cycle.statusCode, 422)
  t.match(cycle.body, /cannot sit inside itself/)
  const busy = await admin.post(`/admin/knowledge/categories/${products.id}/remove`)
  t.equal(busy.statusCode, 409)
  t.match(busy.body, /still holds 1 subcategories/)
  t.equal((await admin.post(`/admin/knowledge/categories/${sso.id}/remove`)).statusCode, 303)
  t.equal((await admin.get(`/admin/knowledge/categories/${sso.id}`)).statusCode, 404)
})

t.test('an article due for review is listed for staff, and its author is e-mailed on the day', async (t) => {
  const { app } = await buildTestApp(t)
  const { knowledgeArticles, jobs, db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Pricing rules' })
  const fresh = await createArticle(app, staff, category.id, { title: 'Fresh guide' })
  const audience = { audience: 'partners' as const, audience_level_id: '', audience_partner_ids: [], required: false }
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
  await knowledgeArticles.setAudience(staff.reviewer, article.id, { ...audience, review_by: tomorrow })
  await knowledgeArticles.setAudience(staff.reviewer, fresh.id, { ...audience, review_by: '2099-01-01' })

  await jobs.runDue()
  const mails = () => db.selectFrom('mail_outbox').select(['to_address', 'subject', 'body']).where('subject', 'like', 'Review due%').execute()
  t.same(await mails(), [], 'nothing before the day')
  const reviewer = new Agent(app)
  await reviewer.signIn('reviewer@staff.example', staffPassword)
  t.notMatch((await reviewer.get('/admin/knowledge?status=due')).body, /Pricing rules/)

  // The day comes: the article's date and its job are due.
  await sql`update knowledge_articles set review_by = current_date where id = ${article.id}`.execute(db)
  await sql`update jobs set run_at = now() - interval '1 minute', payload = jsonb_set(payload, '{reviewBy}', to_jsonb(current_date::text)) where kind = 'knowledge.review-due' and payload->>'articleId' = ${article.id}`.execute(db)
  await jobs.runDue()
  t.match(await mails(), [{ to_address: 'author@staff.example', subject: 'Review due: Pricing rules', body: /is due for review today[\s\S]*\/admin\/knowledge\/articles\// }])
  const due = await reviewer.get('/admin/knowledge?status=due')
  t.match(due.body, /Pricing rules[\s\S]*review due/)
  t.notMatch(due.body, /Fresh guide/)

  await knowledgeArticles.setAudience(staff.reviewer, fresh.id, { ...audience, review_by: '2099-02-01' })
  await sql`update jobs set run_at = now() - interval '1 minute' where kind = 'knowledge.review-due' and payload->>'reviewBy' = '2099-01-01'`.execute(db)
  await jobs.runDue()
  t.equal((await mails()).length, 1, 'a review date moved since sends nothing on the old one')
})
