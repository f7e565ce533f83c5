import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'
import { ApiClient, everything, issueKey } from '../../fixtures/api.ts'

async function setUp(t: Test) {
  const { app } = await buildTestApp(t)
  const boss = await createUser(app, { email: 'boss@staff.example', role: 'admin' })
  const staff = new ApiClient(app, (await issueKey(app, boss, { name: 'Partner CRM' })).token)
  return { app, staff }
}

const names = (res: { json(): { items: Array<{ name?: string; company?: string }> } }) => res.json().items.map((p) => p.name ?? p.company)

t.test('staff keys list partners with the staff list’s filters, a page at a time, and read one', async (t) => {
  const { app, staff } = await setUp(t)
  const acme = await createActivePartner(app, 'acme', { country: 'US', territories: ['US'] })
  await createActivePartner(app, 'bravo', { country: 'DE', territories: ['DE', 'AT'] })
  await createActivePartner(app, 'charlie', { country: 'DE', territories: ['DE'], expertise: [] })
  const first = await staff.get('/api/v1/partners?limit=2')
  t.equal(first.statusCode, 200)
  t.same(names(first), ['acme Ltd', 'bravo Ltd'])
  t.same(names(await staff.get(first.json().nextUrl)), ['charlie Ltd'])
  t.same(names(await staff.get('/api/v1/partners?country=DE')), ['bravo Ltd', 'charlie Ltd'])
  t.same(names(await staff.get('/api/v1/partners?territory=AT')), ['bravo Ltd'])
  t.same(names(await staff.get('/api/v1/partners?expertise=Consulting&country=DE')), ['bravo Ltd'])
  t.same(names(await staff.get('/api/v1/partners?q=charl')), ['charlie Ltd'])
  t.same(names(await staff.get('/api/v1/partners?status=suspended')), [])
  t.equal((await staff.get('/api/v1/partners?status=sleeping')).statusCode, 400, 'an unknown status is an error')
  const one = await staff.get(`/api/v1/partners/${acme.partner.id}`)
  t.match(one.json(), { id: acme.partner.id, name: 'acme Ltd', status: 'active', capacity: Number, level: { name: String } })
  t.equal((await staff.get(`/api/v1/partners/${randomUUID()}`)).statusCode, 404)
})

t.test('staff keys suspend a partner with a reason and reactivate it; its keys stop meanwhile', async (t) => {
  const { app, staff } = await setUp(t)
  const acme = await createActivePartner(app, 'acme')
  const acmeKey = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: everything(app) })).token)
  const url = `/api/v1/partners/${acme.partner.id}`
  t.match((await staff.post(`${url}/suspend`, { reason: 'x' })).json(), { status: 422, errors: [{ pointer: '/reason' }] })
  t.equal((await staff.post(`${url}/reactivate`, {})).statusCode, 409, 'only a suspended partner is reactivated')
  t.equal((await acmeKey.get('/api/v1/company')).statusCode, 200)
  const suspended = await staff.post(`${url}/suspend`, { reason: 'Unpaid fees' })
  t.equal(suspended.statusCode, 200)
  t.match(suspended.json(), { status: 'suspended' })
  t.equal((await acmeKey.get('/api/v1/company')).statusCode, 401, 'the company’s keys stop at once')
  t.equal((await staff.post(`${url}/suspend`, { reason: 'Unpaid fees again' })).statusCode, 409)
  t.match((await staff.post(`${url}/reactivate`, {})).json(), { status: 'active' })
  t.equal((await acmeKey.get('/api/v1/company')).statusCode, 200)
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select(['action', 'actor_name']).where('entity_id', '=', acme.partner.id)
    .where('action', 'in', ['partner.suspended', 'partner.reactivated']).orderBy('at').execute()
  t.same(audit, [{ action: 'partner.suspended', actor_name: 'API key “Partner CRM”' }, { action: 'partner.reactivated', actor_name: 'API key “Partner CRM”' }])
})

t.test('staff keys list, read, approve and reject applications; a decision is taken once', async (t) => {
  const { app, staff } = await setUp(t)
  const { partners, db } = app.diContainer.cradle
  const apply = (company: string, country: string) => partners.apply(applicationForm({
    company_name: company, website: `https://${company.toLowerCase()}.example`, email: `ada@${company.toLowerCase()}.example`, country, territories: [country]
  }))
  const alpha = await apply('Alpha', 'US')
  const beta = await apply('Beta', 'DE')
  await apply('Gamma', 'DE')
  const first = await staff.get('/api/v1/partner-applications?limit=2')
  t.equal(first.statusCode, 200)
  t.same(names(first), ['Gamma', 'Beta'], 'newest first')
  t.same(names(await staff.get(first.json().nextUrl)), ['Alpha'])
  t.same(names(await staff.get('/api/v1/partner-applications?sort=company&limit=2')), ['Alpha', 'Beta'])
  const byName = await staff.get('/api/v1/partner-applications?sort=company&limit=2')
  t.same(names(await staff.get(byName.json().nextUrl)), ['Gamma'], 'pages by company name too')
  t.same(names(await staff.get('/api/v1/partner-applications?country=DE&sort=oldest')), ['Beta', 'Gamma'])
  const read = await staff.get(`/api/v1/partner-applications/${alpha.application.id}`)
  t.match(read.json(), { id: alpha.application.id, status: 'pending', company: 'Alpha', partnerId: alpha.partner.id, applicant: { email: 'ada@alpha.example' }, decidedAt: null })

  const level = await partners.saveLevel({ id: null, name: 'test' }, null, { name: 'Gold', rank: 3, benefits: '' })
  t.match((await staff.post(`/api/v1/partner-applications/${alpha.application.id}/approve`, { levelId: randomUUID() })).json(), { status: 422, errors: [{ pointer: '/levelId' }] })
  const approved = await staff.post(`/api/v1/partner-applications/${alpha.application.id}/approve`, { levelId: level.id })
  t.equal(approved.statusCode, 200)
  t.match(approved.json(), { status: 'approved', decidedAt: /Z$/ })
  t.match((await staff.get(`/api/v1/partners/${alpha.partner.id}`)).json(), { status: 'active', level: { id: level.id } })
  t.equal((await staff.post(`/api/v1/partner-applications/${alpha.application.id}/reject`, { reason: 'Changed our mind' })).statusCode, 409, 'decided once')

  t.equal((await staff.post(`/api/v1/partner-applications/${beta.application.id}/reject`, { reason: 'no' })).statusCode, 422, 'a reason of five characters at least')
  const rejected = await staff.post(`/api/v1/partner-applications/${beta.application.id}/reject`, { reason: 'Outside the program’s regions' })
  t.match(rejected.json(), { status: 'rejected', rejectionReason: 'Outside the program’s regions' })
  t.same(names(await staff.get('/api/v1/partner-applications?status=pending')), ['Gamma'])
  const mails = await db.selectFrom('mail_outbox').select('subject').where('to_address', '=', 'ada@beta.example').execute()
  t.ok(mails.some((m) => /application/i.test(m.subject)), 'the applicant is e-mailed')
  t.equal((await staff.get(`/api/v1/partner-applications/${randomUUID()}`)).statusCode, 404)
})

t.test('a partner’s key gets 403 on every staff route and changes nothing', async (t) => {
  const { app } = await setUp(t)
  const acme = await createActivePartner(app, 'acme')
  const { application } = await app.diContainer.cradle.partners.apply(applicationForm({ company_name: 'Pending', website: 'https://pending.example', email: 'p@pending.example' }))
  const key = new ApiClient(app, (await issueKey(app, acme.admin, { permissions: everything(app) })).token)
  for (const [method, url, body] of [
    ['GET', '/api/v1/partners'], ['GET', `/api/v1/partners/${acme.partner.id}`], ['POST', `/api/v1/partners/${acme.partner.id}/suspend`, { reason: 'Taking a break' }],
    ['GET', '/api/v1/partner-applications'], ['GET', `/api/v1/partner-applications/${application.id}`],
    ['POST', `/api/v1/partner-applications/${application.id}/approve`, { levelId: randomUUID() }], ['POST', `/api/v1/partner-applications/${application.id}/reject`, { reason: 'x' }]
  ] as const) {
    const res = await key.request(method, url, body)
    t.equal(res.statusCode, 403, `${method} ${url}`)
    t.match(res.json(), { code: 'forbidden', detail: 'This area is for staff.' })
  }
  t.equal((await app.diContainer.cradle.partners.application(application.id)).status, 'pending')
  t.equal((await app.diContainer.cradle.partners.partner(acme.partner.id)).status, 'active')
})
