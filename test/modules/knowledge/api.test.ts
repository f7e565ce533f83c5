import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp, createUser } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { ApiClient, issueKey } from '../../fixtures/api.ts'
import { systemActor } from '../../../core/data/audit/audit.service.ts'

t.test('the API lists, searches and reads the articles of the key’s audience, and nothing else', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners, db } = app.diContainer.cradle
  await partners.saveLevel(systemActor, null, { name: 'Registered', rank: 1, benefits: '' })
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: '' })
  const staff = await createStaffPair(app)
  const guides = await createCategory(app, staff.author, 'Guides')
  const sso = await createCategory(app, staff.author, 'Single sign-on', guides.id)
  await createArticle(app, staff, guides.id, { title: 'Import guide', body: 'Import a CSV of customers.', tags: 'csv' })
  await createArticle(app, staff, sso.id, { title: 'Okta setup', body: '## Steps\n\nConfigure SAML in Okta.', tags: 'sso', audience: 'public' })
  await createArticle(app, staff, sso.id, { title: 'Gold SSO extras', body: 'Configure SAML for Gold partners.', audience: 'levels', levelId: gold.id })
  await createArticle(app, staff, guides.id, { title: 'Draft only', publish: false })
  const partner = await createActivePartner(app, 'north')
  const api = new ApiClient(app, (await issueKey(app, partner.admin)).token)

  const list = await api.get('/api/v1/knowledge/articles')
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((a: { slug: string }) => a.slug), ['okta-setup', 'import-guide'], 'newest first, the audience only')
  const first = await api.get('/api/v1/knowledge/articles?limit=1')
  t.equal(first.json().items.length, 1)
  t.ok(first.json().next)
  const second = await api.get(first.json().nextUrl)
  t.same(second.json().items.map((a: { slug: string }) => a.slug), ['import-guide'])
  t.equal(second.json().next, null)

  const search = await api.get('/api/v1/knowledge/articles?q=configur%20saml')
  t.same(search.json().items.map((a: { slug: string }) => a.slug), ['okta-setup'], 'Gold’s article is not found by a Registered partner')
  t.match(search.json().items[0].snippet, /<mark>/)
  t.same((await api.get(`/api/v1/knowledge/articles?category=${guides.id}&tag=csv`)).json().items.map((a: { slug: string }) => a.slug), ['import-guide'])

  const article = await api.get('/api/v1/knowledge/articles/okta-setup')
  t.equal(article.statusCode, 200)
  t.match(article.json(), { title: 'Okta setup', markdown: /Configure SAML/, html: /<h2 id="steps">Steps<\/h2>/, category: [{ name: 'Guides' }, { name: 'Single sign-on' }], requiredReading: false })
  t.equal((await api.get('/api/v1/knowledge/articles/gold-sso-extras')).statusCode, 404)
  t.equal((await api.get('/api/v1/knowledge/articles/draft-only')).statusCode, 404)
  t.match((await api.get('/api/v1/knowledge/articles/draft-only')).headers['content-type'], /application\/problem\+json/)
  t.match((await api.get('/api/v1/knowledge/categories')).json().items, [{ name: 'Guides', articles: 2 }, { name: 'Single sign-on', articles: 1 }])

  await sql`update partners set level_id = ${gold.id} where id = ${partner.partner.id}`.execute(db)
  t.equal((await api.get('/api/v1/knowledge/articles/gold-sso-extras')).statusCode, 200, 'the audience follows the partner’s level at each call')

  const admin = await createUser(app, { email: 'keys@staff.example', role: 'admin' })
  const staffApi = new ApiClient(app, (await issueKey(app, admin)).token)
  t.equal((await staffApi.get('/api/v1/knowledge/articles')).json().items.length, 3, 'a staff key reads every published article')
  t.equal((await new ApiClient(app, undefined).get('/api/v1/knowledge/articles')).statusCode, 401)
})
