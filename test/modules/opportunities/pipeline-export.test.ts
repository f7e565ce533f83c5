import { sql } from 'kysely'
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { adminPermissions } from '../../fixtures/permissions.ts'

t.test('the pipeline downloads as CSV, filtered as the list is, formulas made harmless, scoped like the list', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  for (const name of ['Tills', '=HYPERLINK("http://evil.example")', 'Scanners']) {
    await agent.post('/portal/opportunities', registrationForm(accountId, { name }))
  }
  const res = await agent.get('/portal/opportunities/export.csv')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/csv/)
  t.match(res.headers['content-disposition'], /attachment; filename="opportunities-\d{4}-\d{2}-\d{2}\.csv"/)
  const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>
  t.same(rows.map((r) => r.name).sort(), ["'=HYPERLINK(\"http://evil.example\")", 'Scanners', 'Tills'], 'every deal, the formula kept as text')
  t.match(rows.find((r) => r.name === 'Tills'), { customer: 'Globex', status: 'open', stage: 'qualify', estimated_revenue: '25000.00', currency: 'USD', owner: 'acme Admin', shared_with_us: '' })
  t.match(rows[0]!.expected_close, /^\d{4}-\d{2}-\d{2}$/)

  const filtered = parse((await agent.get('/portal/opportunities/export.csv?q=Till')).body, { columns: true }) as Array<Record<string, string>>
  t.same(filtered.map((r) => r.name), ['Tills'], 'the list’s filters apply')
  t.match((await agent.get('/portal/opportunities?q=Till')).body, /href="\/portal\/opportunities\/export\.csv\?q=Till" download>Download these deals as CSV/)

  await createEmployee(app, acme.partner.id, 'own@acme.example', { ...adminPermissions, opportunities: { scope: 'own', create: true, edit: true, delete: false } })
  const own = new Agent(app)
  await own.signIn('own@acme.example', partnerPassword)
  t.same(parse((await own.get('/portal/opportunities/export.csv')).body, { columns: true }), [], 'someone who sees only their own deals exports only those')
})

t.test('the pipeline pages without gaps through deals changed within the same millisecond', async (t) => {
  const { app } = await buildTestApp(t)
  const { accountId, agent } = await partnerWithCustomer(app)
  for (let i = 0; i < 30; i++) await agent.post('/portal/opportunities', registrationForm(accountId, { name: `Deal ${i}` }))
  // All thirty within one millisecond, a microsecond apart.
  await sql`update opportunities set updated_at = '2026-11-24 10:00:00.123'::timestamptz + (number % 1000) * interval '1 microsecond'`.execute(app.diContainer.cradle.db)
  const seen: string[] = []
  for (let url: string | undefined = '/portal/opportunities'; url; ) {
    const body: string = (await agent.get(url)).body
    seen.push(...[...body.matchAll(/>(Deal \d+)</g)].map((m) => m[1]!))
    url = /href="([^"]*after=[^"]+)">Next page/.exec(body)?.[1]?.replace(/&amp;/g, '&')
  }
  t.equal(seen.length, 30)
  t.equal(new Set(seen).size, 30, 'every deal once')
})

t.test('staff download the channel’s opportunities as CSV, filtered as their list is; partners cannot', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Tills' }))
  await createStaffDeal(app, { name: 'Stadium ticketing' })
  await createUser(app, { email: 'avery@example.com', role: 'admin' })
  const staff = new Agent(app)
  await staff.signIn('avery@example.com', 'correct-horse-battery')

  const all = parse((await staff.get('/admin/opportunities/export.csv')).body, { columns: true }) as Array<Record<string, string>>
  t.same(all.map((r) => r.name).sort(), ['Stadium ticketing', 'Tills'])
  t.match(all.find((r) => r.name === 'Tills'), { partner: 'acme Ltd', status: 'open', source: 'registration', customer: 'Globex', currency: 'USD' })
  t.match(all.find((r) => r.name === 'Stadium ticketing'), { partner: '', status: 'queued', territory: 'US' })
  const queued = parse((await staff.get('/admin/opportunities/export.csv?status=queued')).body, { columns: true }) as Array<Record<string, string>>
  t.same(queued.map((r) => r.name), ['Stadium ticketing'], 'the list’s filters apply')
  const theirs = parse((await staff.get(`/admin/opportunities/export.csv?partner=${acme.partner.id}`)).body, { columns: true }) as Array<Record<string, string>>
  t.same(theirs.map((r) => r.name), ['Tills'])
  t.match((await staff.get('/admin/opportunities?status=queued')).body, /href="\/admin\/opportunities\/export\.csv\?status=queued" download>Download these opportunities as CSV/)

  t.equal((await agent.get('/admin/opportunities/export.csv')).statusCode, 403, 'a partner is refused')
})
