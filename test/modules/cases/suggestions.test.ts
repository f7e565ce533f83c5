import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { adminPermissions } from '../../fixtures/permissions.ts'
import { staffAgent } from '../../fixtures/cases.ts'

const htmx = { 'hx-request': 'true' }

t.test('articles the partner may read are suggested while the subject is typed; "this answered my question" records a deflection and opens no case', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Licensing')
  const open = await createArticle(app, staff, category.id, { title: 'Activating licence keys', body: 'Enter the licence key under Settings.' })
  await createArticle(app, staff, category.id, { title: 'Licence keys for Other only', audience: 'companies', partnerIds: [other.partner.id] })
  await createArticle(app, staff, category.id, { title: 'Draft licence key notes', publish: false })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const fragment = await agent.get('/portal/cases/suggestions?subject=licence%20keys%20fail', htmx)
  t.equal(fragment.statusCode, 200)
  t.match(fragment.body, 'Activating licence keys')
  t.match(fragment.body, `/portal/knowledge/articles/${open.slug}`)
  t.notMatch(fragment.body, 'Other only', 'never an article outside the partner’s audience')
  t.notMatch(fragment.body, 'Draft licence', 'nor a draft')
  t.notMatch(fragment.body, '<html', 'a fragment for htmx')
  t.match((await agent.get('/portal/cases/suggestions?subject=zz', htmx)).body, /Type your subject/, 'too short to look')
  t.match((await agent.get('/portal/cases/suggestions?subject=photosynthesis', htmx)).body, /Nothing we know of matches/)

  const secondStep = await agent.get('/portal/cases/new?subject=licence%20key')
  t.match(secondStep.body, 'Activating licence keys', 'without JavaScript the form shows them as a second step')
  t.match(secondStep.body, 'value="licence key"', 'keeping the subject typed')

  const cases = () => db.selectFrom('cases').select('id').execute()
  const deflected = await agent.post('/portal/cases/deflections', { provider: 'knowledge', href: `/portal/knowledge/articles/${open.slug}`, title: 'Activating licence keys', subject: 'licence keys fail' })
  t.equal(deflected.statusCode, 303)
  t.equal(deflected.headers.location, '/portal/cases')
  t.match((await agent.get('/portal/cases')).body, /No case was opened/)
  const rows = await db.selectFrom('case_deflections').selectAll().execute()
  t.equal(rows.length, 1)
  t.match(rows[0], { provider: 'knowledge', href: `/portal/knowledge/articles/${open.slug}`, user_id: acme.admin.id, partner_id: acme.partner.id, subject: 'licence keys fail' })
  t.same(await cases(), [], 'no case was created')

  for (const wrong of [{ provider: 'nope' }, { href: 'https://evil.example/x' }, { href: '//evil.example/x' }]) {
    const res = await agent.post('/portal/cases/deflections', { provider: 'knowledge', href: '/portal/knowledge/articles/x', title: 'X', subject: '', ...wrong })
    t.equal(res.statusCode, 303, JSON.stringify(wrong))
  }
  t.equal((await db.selectFrom('case_deflections').select('id').execute()).length, 1, 'nothing else recorded')

  const desk = await staffAgent(app)
  const report = await desk.agent.get('/admin/cases/deflections')
  t.match(report.body, /Activating licence keys[\s\S]*?<td class="num">1<\/td>/, 'staff see the deflection per article')
})

t.test('without the cases area there are no suggestions, no deflections and no form', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  await createEmployee(app, acme.partner.id, 'none@acme.example', { ...adminPermissions, cases: { scope: 'none', create: false, edit: false, delete: false } })
  const agent = new Agent(app)
  await agent.signIn('none@acme.example', partnerPassword)
  t.equal((await agent.get('/portal/cases/suggestions?subject=licence', htmx)).statusCode, 404)
  t.equal((await agent.get('/portal/cases/new')).statusCode, 404)
  t.equal((await agent.get('/portal/cases')).statusCode, 404)
  t.equal((await agent.post('/portal/cases/deflections', { provider: 'knowledge', href: '/portal/knowledge/articles/x', title: 'X' })).statusCode, 404)
  t.equal((await app.diContainer.cradle.db.selectFrom('case_deflections').select('id').execute()).length, 0)
  t.notMatch((await agent.get('/portal')).body, 'href="/portal/cases"', 'and no menu entry')
})
