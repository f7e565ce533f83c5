import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { applicationForm, partnerPassword } from '../../fixtures/partners.ts'
import { Invalid } from '../../../core/lib/errors.ts'
import { KnownDomain } from '../../../modules/partners/partners.service.ts'

const form = (overrides: Record<string, string | string[]> = {}) => {
  const values = applicationForm()
  return { ...Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'apply_anyway').map(([k, v]) => [k, Array.isArray(v) ? v : String(v)])), ...overrides } as Record<string, string | string[]>
}

const count = async (app: Awaited<ReturnType<typeof buildTestApp>>['app'], table: 'partners' | 'users' | 'partner_applications') =>
  Number((await app.diContainer.cradle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

t.test('the program page shows the levels and the way to apply', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await new Agent(app).get('/')
  t.equal(res.statusCode, 200)
  t.match(res.body, /Grow with us as a partner/)
  t.match(res.body, /href="\/apply"/)
})

t.test('applying creates the company, the applicant and the application, signs in and e-mails', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const visitor = new Agent(app)
  t.equal((await visitor.get('/apply')).statusCode, 200)
  const res = await visitor.post('/apply', form())
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/portal/application')

  const partner = await db.selectFrom('partners').selectAll().executeTakeFirstOrThrow()
  t.match(partner, { name: 'Acme Resellers', status: 'applied', domain: 'acme.example', country: 'US', territories: ['US'], expertise: ['Consulting'] })
  const user = await db.selectFrom('users').selectAll().where('email', '=', 'ada@acme.example').executeTakeFirstOrThrow()
  t.match(user, { kind: 'partner', partner_id: partner.id, partner_status: 'applied', status: 'active' })
  t.not(user.password_hash, partnerPassword, 'the password is stored hashed')
  const mail = await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'ada@acme.example').execute()
  t.equal(mail.length, 1)
  t.match(mail[0]!.subject, /received Acme Resellers/)

  const status = await visitor.get('/portal/application')
  t.equal(status.statusCode, 200)
  t.match(status.body, /Acme Resellers is under review/)
  t.equal((await visitor.get('/portal')).headers.location, '/portal/application', 'the applicant sees nothing but the status')
  t.equal((await visitor.get('/portal/company')).statusCode, 403)
  t.equal((await visitor.get('/portal/team')).statusCode, 403)
})

t.test('bad input on the application form is refused with a message per field and saves nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const cases: Array<[string, Record<string, string | string[]>, RegExp]> = [
    ['empty company', { company_name: '' }, /Company name is required/],
    ['too long name', { company_name: 'x'.repeat(161) }, /Company name must be at most 160 characters/],
    ['script tag', { company_name: '<script>alert(1)</script>' }, /Company name must not contain &lt; or &gt;/],
    ['bad e-mail', { email: 'not-an-email' }, /Your e-mail must be an e-mail address/],
    ['bad website', { website: 'javascript:alert(1)' }, /Website must be a web address/],
    ['unknown country', { country: 'XX' }, /Country must be one of the listed countries/],
    ['unknown territory', { territories: ['US', 'ZZ'] }, /Choose territories from the list/],
    ['unknown expertise', { expertise: 'Hacking' }, /Choose expertise from the list/],
    ['short password', { password: 'short' }, /Password must be 12 to 128 characters long/],
    ['wrong type', { company_size: '12' }, /Choose one of the offered values for Company size/]
  ]
  for (const [name, overrides, message] of cases) {
    const res = await new Agent(app).post('/apply', form(overrides))
    t.equal(res.statusCode, 422, name)
    t.match(res.body, message, name)
    if (!('company_name' in overrides)) t.match(res.body, /value="Acme Resellers"/, `${name}: the form keeps what was typed`)
    t.notMatch(res.body, new RegExp(partnerPassword), `${name}: the password is not echoed`)
  }
  t.equal(await count(app, 'partners'), 0)
  t.equal(await count(app, 'users'), 0)
})

t.test('a second application with the same e-mail is refused; the same domain is flagged, not duplicated silently', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal((await new Agent(app).post('/apply', form())).statusCode, 303)

  const sameEmail = await new Agent(app).post('/apply', form({ website: 'https://other.example' }))
  t.equal(sameEmail.statusCode, 422)
  t.match(sameEmail.body, /An account with this e-mail already exists/)
  t.equal(await count(app, 'partners'), 1, 'nothing half-created')

  const sameDomain = new Agent(app)
  const warned = await sameDomain.post('/apply', form({ email: 'bob@acme.example', name: 'Bob' }))
  t.equal(warned.statusCode, 409)
  t.match(warned.body, /Your company may already be with us/)
  t.match(warned.body, /Acme Resellers \(application under review\)/)
  t.equal(await count(app, 'partners'), 1)

  const confirmed = await sameDomain.post('/apply', form({ email: 'bob@acme.example', name: 'Bob', apply_anyway: 'on' }))
  t.equal(confirmed.statusCode, 303)
  const flagged = await app.diContainer.cradle.db.selectFrom('partner_applications').select('possible_duplicate').orderBy('submitted_at').execute()
  t.same(flagged.map((a) => a.possible_duplicate), [false, true], 'staff see the second as a possible duplicate')
})

t.test('the service itself holds the rules of an application: program choices and a known domain', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners } = app.diContainer.cradle
  await t.rejects(partners.apply(applicationForm({ expertise: ['Juggling'] })), new Invalid({ expertise: 'Choose expertise from the list.' }))
  await t.rejects(partners.apply(applicationForm({ territories: ['Atlantis'] })), new Invalid({ territories: 'Choose territories from the list.' }))
  await partners.apply(applicationForm())
  const again = applicationForm({ email: 'bob@acme.example', website: 'https://www.acme.example/about' })
  const asked = await partners.apply(again).catch((err: unknown) => err)
  t.type(asked, KnownDomain, 'the same domain asks first')
  t.match((asked as KnownDomain).duplicates, [{ name: 'Acme Resellers', status: 'applied' }], 'naming the company it knows')
  t.equal(await count(app, 'partners'), 1, 'nothing saved while it asks')
  await partners.apply({ ...again, apply_anyway: true })
  t.equal(await count(app, 'partner_applications'), 2, 'saved once the applicant says so')
})

t.test('the public directory lists only active partners that opted in, with filters', async (t) => {
  const { app } = await buildTestApp(t)
  const { createActivePartner } = await import('../../fixtures/partners.ts')
  const listed = await createActivePartner(app, 'listed', { country: 'GB', territories: ['GB', 'IE'] })
  await createActivePartner(app, 'hidden')
  const { partners } = app.diContainer.cradle
  await partners.updateProfile({ id: null, name: 'test' }, listed.partner.id, {
    company_name: 'Listed Ltd', website: 'https://listed.example', address: '', city: 'London', postal_code: '', country: 'GB',
    company_phone: '', territories: ['GB', 'IE'], expertise: ['Consulting'], listed: true, summary: 'We help.'
  })
  const visitor = new Agent(app)
  const all = await visitor.get('/partners')
  t.match(all.body, /Listed Ltd/)
  t.notMatch(all.body, /hidden Ltd/)
  t.match((await visitor.get('/partners?territory=IE')).body, /Listed Ltd/)
  t.notMatch((await visitor.get('/partners?territory=US')).body, /Listed Ltd/)
  t.match((await visitor.get('/partners?territory=US')).body, /No partners match/)
  t.equal((await visitor.get('/partners?territory=<script>')).statusCode, 200, 'unknown filter values are ignored')
})
