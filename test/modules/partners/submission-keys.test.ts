import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'
import { postTwice, submissionKey } from '../../fixtures/submissions.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
await createUser(app, { email: 'chief@staff.example', name: 'Chief Staff', role: 'admin' })
const staff = new Agent(app)
await staff.signIn('chief@staff.example', 'correct-horse-battery')

/** The application form as a browser sends it. */
const applyForm = (overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  ...Object.fromEntries(Object.entries(applicationForm()).filter(([k]) => k !== 'apply_anyway').map(([k, v]) => [k, Array.isArray(v) ? v : String(v)])),
  ...overrides
})
const rows = async (table: 'partners' | 'users' | 'mail_outbox', [column, value]: [string, string]) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(db)).rows[0]!.n

t.test('an application sent twice, the first answer lost, applies once; the repeat is sent to sign in', async (t) => {
  const key = submissionKey((await new Agent(app).get('/apply')).body)
  t.ok(key, 'the application form carries a key')
  const form = applyForm({ company_name: 'Lost Answer Ltd', website: 'https://lost.example', email: 'lou@lost.example', _submission: key! })
  const first = await new Agent(app).post('/apply', form)
  t.equal(first.statusCode, 303)
  // The browser never saw the first answer, so it is not signed in and sends the form again.
  const browser = new Agent(app)
  const again = await browser.post('/apply', form)
  t.equal(again.statusCode, 303)
  t.equal(again.headers.location, first.headers.location)
  t.equal(browser.has('pp_session'), false, 'a repeated key signs no one in')
  const signin = await browser.get(String((await browser.get(String(again.headers.location))).headers.location))
  t.match(signin.body, /Your application was already received\. Sign in to see where it stands\./)
  t.equal(await rows('partners', ['name', 'Lost Answer Ltd']), 1)
  t.equal(await rows('users', ['email', 'lou@lost.example']), 1)
  t.equal(await rows('mail_outbox', ['to_address', 'lou@lost.example']), 1, 'one confirmation e-mail')
})

t.test('a refused application keeps its key, so the corrected one applies once', async (t) => {
  const visitor = new Agent(app)
  const key = submissionKey((await visitor.get('/apply')).body)!
  const form = applyForm({ company_name: 'Second Try Ltd', website: 'https://second.example', email: 'sue@second.example' })
  const refused = await visitor.post('/apply', { ...form, password: 'short', _submission: key })
  t.equal(refused.statusCode, 422)
  t.equal(submissionKey(refused.body), key)
  t.equal((await visitor.post('/apply', { ...form, _submission: key })).statusCode, 303)
  t.equal((await new Agent(app).post('/apply', { ...form, _submission: key })).statusCode, 303, 'the repeat is redirected')
  t.equal(await rows('partners', ['name', 'Second Try Ltd']), 1)
})

t.test('an application asked to confirm a known domain keeps its key through “Apply anyway”', async (t) => {
  const visitor = new Agent(app)
  const key = crypto.randomUUID()
  const form = applyForm({ company_name: 'Lost Answer Again', website: 'https://lost.example', email: 'al@lost.example', _submission: key })
  const asked = await visitor.post('/apply', form)
  t.equal(asked.statusCode, 409)
  t.equal(submissionKey(asked.body), key)
  t.equal((await visitor.post('/apply', { ...form, apply_anyway: 'on' })).statusCode, 303)
  const repeat = await new Agent(app).post('/apply', { ...form, apply_anyway: 'on' })
  t.equal(repeat.statusCode, 303, 'the repeat is redirected, not asked about the domain its first one used')
  t.equal(await rows('partners', ['name', 'Lost Answer Again']), 1)
})

t.test('a colleague’s invitation sent twice invites once', async (t) => {
  const acme = await createActivePartner(app, 'acme')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  t.ok(submissionKey((await admin.get('/portal/team/invite')).body), 'the invitation form carries a key')
  const invite = { name: 'Eve Employee', email: 'eve@acme.example', job_title: '', customers_scope: 'own', opportunities_scope: 'own', cases_scope: 'none' }
  const first = await postTwice(t, admin, '/portal/team', invite)
  t.match(first.headers.location, /^\/portal\/team\/[0-9a-f-]{36}$/)
  t.equal(await rows('mail_outbox', ['to_address', 'eve@acme.example']), 1, 'one invitation e-mail')
})

t.test('staff notes on a partner and on an application, sent twice, are added once', async (t) => {
  const beta = await createActivePartner(app, 'beta')
  t.ok(submissionKey((await staff.get(`/admin/partners/${beta.partner.id}`)).body))
  await postTwice(t, staff, `/admin/partners/${beta.partner.id}/notes`, { body: 'Met them at the fair.' })
  t.ok(submissionKey((await staff.get(`/admin/partners/applications/${beta.application.id}`)).body))
  const refused = await staff.post(`/admin/partners/applications/${beta.application.id}/notes`, { body: '', _submission: crypto.randomUUID() })
  t.equal(refused.statusCode, 422)
  await postTwice(t, staff, `/admin/partners/applications/${beta.application.id}/notes`, { body: 'References checked.' })
  const notes = await db.selectFrom('partner_notes').select('body').where('partner_id', '=', beta.partner.id).execute()
  t.same(notes.map((n) => n.body).sort(), ['Met them at the fair.', 'References checked.'])
})

t.test('a new partner level sent twice is added once', async (t) => {
  const page = (await staff.get('/admin/program')).body
  t.match(page, /Save level/, 'with a level to edit')
  t.equal(page.match(/name="_submission"/g)?.length, 1, 'only the new level’s form carries a key')
  await postTwice(t, staff, '/admin/program/levels', { name: 'Platinum', rank: '9', benefits: 'Everything' })
  t.equal((await db.selectFrom('partner_levels').select('id').where('name', '=', 'Platinum').execute()).length, 1)
})
