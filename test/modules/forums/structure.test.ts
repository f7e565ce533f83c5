import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createModerator } from '../../fixtures/forums.ts'
import { systemActor } from '../../../core/data/audit/audit.service.ts'

t.test('staff arrange categories and forums with an audience and posting rights, with clear errors', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners, db } = app.diContainer.cradle
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: '' })
  const north = await createActivePartner(app, 'north')
  const staff = await createModerator(app)
  const agent = new Agent(app)
  await agent.signIn(staff.email, staff.password)

  const empty = await agent.get('/admin/forums/manage')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /No categories yet/)
  t.match((await agent.get('/admin/forums/manage/new')).body, /Add a category first/)
  const noName = await agent.post('/admin/forums/categories', { name: '', position: '0' })
  t.equal(noName.statusCode, 422)
  t.match(noName.body, /Name is required/)
  t.equal((await agent.post('/admin/forums/categories', { name: 'Community', description: 'Talk', position: '1' })).statusCode, 303)
  const category = await db.selectFrom('forum_categories').selectAll().executeTakeFirstOrThrow()

  const form = { category_id: category.id, name: 'Gold lounge', description: 'For Gold', position: '0', audience: 'levels', audience_level_id: '', posting: 'audience' }
  const noLevel = await agent.post('/admin/forums/manage', form)
  t.equal(noLevel.statusCode, 422)
  t.match(noLevel.body, /Choose the lowest level that reads it/)
  const noCompany = await agent.post('/admin/forums/manage', { ...form, audience: 'companies' })
  t.match(noCompany.body, /Choose at least one partner/)
  const badPosting = await agent.post('/admin/forums/manage', { ...form, audience_level_id: gold.id, posting: 'anyone' })
  t.match(badPosting.body, /Choose one of the offered values for Who may post/)
  t.equal((await agent.post('/admin/forums/manage', { ...form, audience_level_id: gold.id, allow_hidden_company: 'on' })).statusCode, 303)
  const forum = await db.selectFrom('forums').selectAll().executeTakeFirstOrThrow()
  t.match(forum, { audience: 'levels', audience_level_id: gold.id, posting: 'audience', allow_hidden_company: true })
  t.match((await agent.get('/admin/forums/manage')).body, /Gold lounge<\/a> <span class="muted small">#0 · a level and above · company may be hidden/)

  t.equal((await agent.post(`/admin/forums/manage/${forum.id}`, { ...form, audience: 'companies', audience_partner_ids: north.partner.id, posting: 'staff' })).statusCode, 303)
  t.match(await db.selectFrom('forums').selectAll().executeTakeFirstOrThrow(), { audience: 'companies', audience_partner_ids: [north.partner.id], audience_level_id: null, posting: 'staff', allow_hidden_company: false })
  t.equal((await agent.get(`/admin/forums/manage/${forum.id}`)).statusCode, 200)

  const busy = await agent.post(`/admin/forums/categories/${category.id}/remove`, {})
  t.equal(busy.statusCode, 409)
  t.match(busy.body, /Community still holds 1 forum; move them first/)
  t.equal((await agent.post(`/admin/forums/categories/${category.id}`, { name: 'Partners only', position: '2' })).statusCode, 303)
  t.match((await agent.get(`/admin/forums/categories/${category.id}`)).body, /Partners only/)
  t.equal((await agent.post('/admin/forums/categories', { name: 'Spare', position: '3' })).statusCode, 303)
  const spare = await db.selectFrom('forum_categories').select('id').where('name', '=', 'Spare').executeTakeFirstOrThrow()
  t.equal((await agent.post(`/admin/forums/categories/${spare.id}/remove`, {})).statusCode, 303, 'an empty category goes')
  const actions = (await db.selectFrom('audit_log').select('action').where('action', 'like', 'forums.%').execute()).map((a) => a.action)
  t.same(actions.sort(), ['forums.category-created', 'forums.category-created', 'forums.category-removed', 'forums.category-updated', 'forums.forum-created', 'forums.forum-updated'])
})
