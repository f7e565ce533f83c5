import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent, staffPassword } from '../../fixtures/cases.ts'

t.test('a case about a deal in its last stage comes first in the queue while the staff admins’ rule is on; the queue filters by the deal’s stage', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, caseDesk } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  const about = await openCase(acme.agent, { subject: 'Price for the closing deal', opportunity_id: acme.dealId })
  const plain = await openCase(acme.agent, { subject: 'Where are the logos' })
  const later = await openCase(acme.agent, { subject: 'Training dates' })
  const row = (id: string) => db.selectFrom('cases').select(['deal_stage', 'deal_raised', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow()
  t.match(await row(about), { deal_stage: 'qualify', deal_raised: false }, 'a new case keeps its deal’s stage')
  t.match(await row(plain), { deal_stage: null, deal_raised: false })

  const order = async (query = '') => [...(await desk.agent.get(`/admin/cases${query}`)).body.matchAll(/<a href="\/admin\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1])
  t.same(await order(), [later, plain, about], 'latest activity first while no deal is closing')

  const touched = (await row(about)).updated_at
  t.equal((await acme.agent.post(`/portal/opportunities/${acme.dealId}/stage`, { stage: 'close' })).statusCode, 303)
  t.match(await row(about), { deal_stage: 'close', deal_raised: true, updated_at: touched }, 'the deal’s move reaches its case; the case’s activity time stays')
  t.same(await order(), [about, later, plain], 'the case about the closing deal comes first')
  const page = (await desk.agent.get('/admin/cases')).body
  t.match(page, /Price for the closing deal[\s\S]*\(Close\)[\s\S]*Deal closing/)

  t.same(await order('?stage=close'), [about], 'filtered by the linked deal’s stage')
  t.same(await order('?stage=qualify'), [], 'no case is about a deal in that stage')
  t.match((await desk.agent.get('/admin/cases?stage=qualify')).body, 'No cases match')
  t.same(await order('?stage=nonsense'), [about, later, plain], 'a stage not offered is ignored')

  // Keyset paging across the raised case and the rest, one row a page, in every order.
  const expected = { activity: [about, later, plain], newest: [about, later, plain], oldest: [about, plain, later], priority: [about, later, plain] }
  for (const sort of ['activity', 'newest', 'oldest', 'priority'] as const) {
    const walked: string[] = []
    let cursor: string | undefined
    do {
      const p = await caseDesk.queue({ active: true }, sort, cursor, 1)
      walked.push(...p.items.map((c) => c.id))
      cursor = p.next ?? undefined
    } while (cursor && walked.length < 10)
    t.same(walked, expected[sort], `${sort}: the raised case first, then the rest in order, each once`)
  }

  const admin = await createUser(app, { email: 'boss@staff.example', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(admin.email, staffPassword)
  t.equal((await desk.agent.post('/admin/cases/assignment', { mode: 'off' })).statusCode, 403, 'staff admins only turn the rule off')
  t.same(await order(), [about, later, plain])
  t.match((await boss.get('/admin/cases/assignment')).body, /name="raise_last_stage" value="1" checked/)
  t.equal((await boss.post('/admin/cases/assignment', { mode: 'off' })).statusCode, 303)
  t.notMatch((await boss.get('/admin/cases/assignment')).body, /name="raise_last_stage" value="1" checked/)
  t.same(await order(), [later, plain, about], 'with the rule off: latest activity first again')
  t.notMatch((await desk.agent.get('/admin/cases')).body, 'Deal closing')
  t.equal((await boss.post('/admin/cases/assignment', { mode: 'off', raise_last_stage: '1' })).statusCode, 303)
  t.same(await order(), [about, later, plain], 'and on again')

  t.equal((await acme.agent.post(`/portal/opportunities/${acme.dealId}/win`, { actual_revenue: '30000' })).statusCode, 303)
  t.match(await row(about), { deal_stage: 'close', deal_raised: false }, 'a won deal no longer raises its case')
  t.same(await order(), [later, plain, about])
})
