import { parse } from 'csv-parse/sync'
import t from 'tap'
import { buildTestApp } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent } from '../../fixtures/cases.ts'

const formula = "=HYPERLINK(\"http://evil.example\",\"open\")"

t.test('the staff export the queue as filtered, with formulas kept as text and no reply or internal note in it', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  const evil = await openCase(acme.agent, { subject: formula, priority: 'urgent', opportunity_id: acme.dealId })
  await openCase(acme.agent, { subject: 'Where are the logos', priority: 'low' })
  await desk.agent.post(`/admin/cases/${evil}/notes`, { note: 'Internal: the customer is about to churn' })
  await desk.agent.post(`/admin/cases/${evil}/replies`, { body: 'Public answer about the link', next_status: '' })

  t.match((await desk.agent.get('/admin/cases?priority=urgent')).body, /href="\/admin\/cases\/export\.csv\?[^"]*priority=urgent/, 'the page links to the export of its filters')
  const res = await desk.agent.get('/admin/cases/export.csv?priority=urgent')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/csv/)
  t.match(res.headers['content-disposition'], /attachment; filename="cases-\d{4}-\d{2}-\d{2}\.csv"/)
  const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>
  t.equal(rows.length, 1, 'only the filtered cases')
  t.match(rows[0], { subject: `'${formula}`, partner: 'acme Ltd', status: 'open', priority: 'urgent', deal: 'acme deal', deal_stage: 'qualify', raised: 'no', assignee: '' })
  t.match(rows[0]!.number, /^CASE-\d+$/)
  t.notMatch(res.body, /churn|Public answer/, 'neither the internal note nor a reply')

  const all = parse((await desk.agent.get('/admin/cases/export.csv?status=all&sort=oldest')).body, { columns: true }) as Array<Record<string, string>>
  t.same(all.map((r) => r.subject), [`'${formula}`, 'Where are the logos'], 'in the queue’s order')

  t.equal((await acme.agent.get('/admin/cases/export.csv')).statusCode, 403, 'staff only')
  t.equal((await acme.agent.get('/admin/cases/figures.csv')).statusCode, 403)
})

t.test('the staff export the figures: open cases by status and priority, and outcomes overall, per partner and per assignee', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const evil = await partnerWithDeal(app, 'evil')
  const desk = await staffAgent(app)
  await app.diContainer.cradle.db.updateTable('partners').set({ name: '+SUM(1,2) Ltd' }).where('id', '=', evil.partner.id).execute()
  const answered = await openCase(acme.agent, { priority: 'high' })
  await openCase(acme.agent, { priority: 'low' })
  await openCase(evil.agent, { priority: 'low' })
  await desk.agent.post(`/admin/cases/${answered}/take`)
  await desk.agent.post(`/admin/cases/${answered}/replies`, { body: 'Done.', next_status: 'resolved' })

  t.match((await desk.agent.get('/admin/cases/figures?days=30')).body, 'href="/admin/cases/figures.csv?days=30"')
  const res = await desk.agent.get('/admin/cases/figures.csv?days=30')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-disposition'], /filename="case-figures-30-days-/)
  const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>
  t.same(rows.filter((r) => r.section === 'open now').map((r) => [r.status, r.priority, r.cases]), [['new', 'low', '2']], 'the resolved case is not open')
  t.match(rows.find((r) => r.section === 'opened in the last 30 days'), { label: 'All cases', cases: '3', rated: '0' })
  t.same(rows.filter((r) => r.section === 'per partner').map((r) => [r.label, r.cases]), [['acme Ltd', '2'], ["'+SUM(1,2) Ltd", '1']], 'a formula in a name stays text')
  t.same(rows.filter((r) => r.section === 'per assignee').map((r) => [r.label, r.cases]), [['Nobody yet', '2'], ['Dana Desk', '1']])
  t.ok(Number(rows.find((r) => r.label === 'Dana Desk')!.first_response_median_hours) >= 0, 'with its times in hours')
})
