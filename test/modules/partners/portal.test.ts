import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'

t.test('the partner home shows the company and team widgets', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const home = await agent.get('/portal')
  t.equal(home.statusCode, 200)
  t.match(home.body, /acme Ltd/)
  t.match(home.body, /Your company/)
  t.match(home.body, /Manage the team/)
})

t.test('the partner admin edits the company profile; employees only read it', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  await createEmployee(app, acme.partner.id, 'sam@acme.example')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const profile = {
    company_name: 'Acme Renamed', website: 'https://acme.example', company_phone: '+44 20 0000', address: '2 Street', city: 'Leeds',
    postal_code: 'LS1', country: 'GB', territories: ['GB', 'IE'], expertise: ['Consulting', 'Training'], listed: 'on', summary: 'We <b>help</b>.'
  }
  t.equal((await admin.post('/portal/company', profile)).statusCode, 303)
  const page = await admin.get('/portal/company')
  t.match(page.body, /Acme Renamed/)
  t.match(page.body, /United Kingdom, Ireland/)
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').selectAll().where('action', '=', 'partner.profile-updated').executeTakeFirstOrThrow()
  t.match(audit.before, { name: 'acme Ltd' })
  t.match(audit.after, { name: 'Acme Renamed', listed: true })

  const cases: Array<[Record<string, string | string[]>, RegExp]> = [
    [{ company_name: '' }, /Company name is required/],
    [{ website: 'ftp://x' }, /Website must be a web address/],
    [{ territories: ['GB', '<script>'] }, /Choose territories from the list/],
    [{ summary: 'x'.repeat(601) }, /at most 600 characters/]
  ]
  for (const [change, message] of cases) {
    const res = await admin.post('/portal/company', { ...profile, ...change })
    t.equal(res.statusCode, 422)
    t.match(res.body, message)
  }
  t.match((await admin.get('/portal/company')).body, /Acme Renamed/, 'bad input changed nothing')

  const employee = new Agent(app)
  await employee.signIn('sam@acme.example', partnerPassword)
  t.equal((await employee.get('/portal/company')).statusCode, 200)
  t.equal((await employee.get('/portal/company/edit')).statusCode, 403)
  t.equal((await employee.post('/portal/company', { ...profile, company_name: 'Hijacked' })).statusCode, 403)
  t.match((await admin.get('/portal/company')).body, /Acme Renamed/)
})

t.test('suspension signs the whole company out on the next request; reactivation lets them back', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  t.equal((await agent.get('/portal')).statusCode, 200)
  await app.diContainer.cradle.partners.setSuspended({ id: null, name: 'test' }, acme.partner.id, true, 'Unpaid fees')
  t.equal((await agent.get('/portal')).statusCode, 303, 'the open session ends at once')
  const refused = await new Agent(app).post('/signin', { email: acme.email, password: acme.password })
  t.equal(refused.statusCode, 403)
  t.match(refused.body, /suspended/)
  await app.diContainer.cradle.partners.setSuspended({ id: null, name: 'test' }, acme.partner.id, false)
  const back = new Agent(app)
  await back.signIn(acme.email, acme.password)
  t.equal((await back.get('/portal')).statusCode, 200)
})

t.test('a rejected applicant sees the reason and nothing else', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners } = app.diContainer.cradle
  const { applicationForm } = await import('../../fixtures/partners.ts')
  const { application } = await partners.apply(applicationForm())
  const staff = await (await import('../../helper.ts')).createUser(app, { email: 'boss@staff.example', role: 'admin' })
  await partners.reject({ id: staff.id, name: staff.name }, application.id, 'Not in our region yet')
  const agent = new Agent(app)
  await agent.signIn('ada@acme.example', partnerPassword)
  const status = await agent.get('/portal/application')
  t.match(status.body, /was not accepted/)
  t.match(status.body, /Not in our region yet/)
  t.equal((await agent.get('/portal/company')).statusCode, 403)
})
