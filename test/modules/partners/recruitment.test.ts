import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { applicationForm } from '../../fixtures/partners.ts'

async function apply(app: FastifyInstance, slug: string, overrides: Record<string, unknown> = {}) {
  return app.diContainer.cradle.partners.apply(applicationForm({
    company_name: `${slug} Ltd`, website: `https://${slug}.example`, name: `${slug} Person`, email: `someone@${slug}.example`, ...overrides
  }))
}

async function staffAgent(app: FastifyInstance, email = 'recruiter@staff.example') {
  await createUser(app, { email, name: 'Rita Recruiter' })
  const agent = new Agent(app)
  await agent.signIn(email, 'correct-horse-battery')
  return agent
}

const idsIn = (html: string) => [...html.matchAll(/href="\/admin\/partners\/applications\/([0-9a-f-]{36})"/g)].map((m) => m[1]!)
const nextLink = (html: string) => /href="([^"]*after=[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')

t.test('the dashboard counts applications by status and age, charts them and filters the list', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners } = app.diContainer.cradle
  const level = await partners.saveLevel(systemActor, null, { name: 'Registered', rank: 1, benefits: '' })
  const de = await apply(app, 'berlin', { country: 'DE', territories: ['DE', 'AT'], expertise: ['Training'] })
  await apply(app, 'paris', { country: 'FR', territories: ['FR'], expertise: ['Consulting'] })
  const rejected = await apply(app, 'lyon', { country: 'FR', territories: ['FR'], expertise: ['Consulting'] })
  const staff = await createUser(app, { email: 'boss@staff.example', role: 'admin' })
  await partners.approve(staff, de.application.id, level.id)
  await partners.reject(staff, rejected.application.id, 'Not a fit for now.')

  const agent = await staffAgent(app)
  const res = await agent.get('/admin/partners/applications')
  t.equal(res.statusCode, 200)
  t.match(res.body, /Waiting for a decision<\/a><\/dt><dd>1</)
  t.match(res.body, /Approved<\/a><\/dt><dd>1</)
  t.match(res.body, /Rejected<\/a><\/dt><dd>1</)
  t.match(res.body, /Waiting under a week<\/dt><dd>1</)
  t.match(res.body, /<svg viewBox="0 0 480 220" role="img"/, 'the weekly chart is an inline SVG')
  t.match(res.body, /<th scope="row">France<\/th><td class="num">1<\/td>/, 'the figures behind the country chart are in a table')
  t.notMatch(res.body, /style=/, 'no inline styles (the CSP forbids them)')
  t.equal(idsIn(res.body).length, 3)

  t.same(idsIn((await agent.get('/admin/partners/applications?status=pending')).body), [idsIn(res.body).find((id) => id !== de.application.id && id !== rejected.application.id)])
  t.equal(idsIn((await agent.get('/admin/partners/applications?country=FR')).body).length, 2)
  t.same(idsIn((await agent.get('/admin/partners/applications?territory=AT')).body), [de.application.id])
  t.same(idsIn((await agent.get('/admin/partners/applications?expertise=Training')).body), [de.application.id])
  const none = await agent.get('/admin/partners/applications?country=JP')
  t.match(none.body, /No application matches these filters/)
  const odd = await agent.get('/admin/partners/applications?status=bogus&country=XX&sort=%3Cscript%3E&after=nonsense')
  t.equal(odd.statusCode, 200, 'unknown filter values and a bad cursor are ignored')
  t.equal(idsIn(odd.body).length, 3)
})

t.test('the list pages with a cursor in every sort order, without gaps or repeats', async (t) => {
  const { app } = await buildTestApp(t)
  const made: string[] = []
  for (let i = 0; i < 27; i++) made.push((await apply(app, `co${String(i).padStart(2, '0')}`)).application.id)
  const agent = await staffAgent(app)
  for (const sort of ['newest', 'oldest', 'company']) {
    const first = await agent.get(`/admin/partners/applications?sort=${sort}`)
    const firstIds = idsIn(first.body)
    t.equal(firstIds.length, 20, `${sort}: a full first page`)
    const next = nextLink(first.body)
    t.ok(next, `${sort}: a next-page link`)
    const second = await agent.get(next!)
    const secondIds = idsIn(second.body)
    t.equal(secondIds.length, 7, `${sort}: the rest on page two`)
    t.same(new Set([...firstIds, ...secondIds]), new Set(made), `${sort}: every application exactly once`)
    t.notOk(nextLink(second.body), `${sort}: no third page`)
    if (sort === 'oldest') t.equal(firstIds[0], made[0])
    if (sort === 'newest') t.equal(firstIds[0], made[26])
  }
})

t.test('an empty dashboard explains where applications come from', async (t) => {
  const { app } = await buildTestApp(t)
  const agent = await staffAgent(app)
  const res = await agent.get('/admin/partners/applications')
  t.equal(res.statusCode, 200)
  t.match(res.body, /No applications yet/)
  t.match(res.body, /No applications in the last 12 weeks/)
})

t.test('an application page shows what was submitted, duplicates, notes and history', async (t) => {
  const { app } = await buildTestApp(t)
  const first = await apply(app, 'twin', { job_title: 'Founder', phone: '+49 30 1234', address: 'Hauptstr. 1', city: 'Berlin' })
  const second = await apply(app, 'twin', { company_name: 'Twin Again GmbH', email: 'other@twin.example', apply_anyway: true })
  const agent = await staffAgent(app)

  const list = await agent.get('/admin/partners/applications')
  t.match(list.body, /Possible duplicate/)
  const res = await agent.get(`/admin/partners/applications/${second.application.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /Twin Again GmbH/)
  t.match(res.body, new RegExp(`href="/admin/partners/${first.partner.id}">twin Ltd</a>`), 'the earlier company is linked')
  t.notMatch(res.body, new RegExp(`href="/admin/partners/${second.partner.id}"`), 'not itself')
  const own = await agent.get(`/admin/partners/applications/${first.application.id}`)
  t.match(own.body, /Founder/)
  t.match(own.body, /\+49 30 1234/)
  t.match(own.body, /Hauptstr\. 1/)
  t.match(own.body, /Applied/, 'history from the audit trail')

  const empty = await agent.post(`/admin/partners/applications/${first.application.id}/notes`, { body: '  ' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Note is required/)
  const note = await agent.post(`/admin/partners/applications/${first.application.id}/notes`, { body: 'Called them: <b>keen</b>.' })
  t.equal(note.statusCode, 303)
  const after = await agent.get(`/admin/partners/applications/${first.application.id}`)
  t.match(after.body, /Called them: &lt;b&gt;keen&lt;\/b&gt;\./, 'notes are shown escaped')
  t.match(after.body, /Note added/)

  t.equal((await agent.get('/admin/partners/applications/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.equal((await agent.get('/admin/partners/applications/not-an-id')).statusCode, 404)
})

t.test('approving makes the company an active partner at the level and welcomes the applicant', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners, db } = app.diContainer.cradle
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: '' })
  const { application, partner, user } = await apply(app, 'winner')
  const agent = await staffAgent(app)

  const page = await agent.get(`/admin/partners/applications/${application.id}`)
  t.match(page.body, /Approve winner Ltd/)
  const bad = await agent.post(`/admin/partners/applications/${application.id}/approve`, { level_id: '00000000-0000-4000-8000-000000000000' })
  t.equal(bad.statusCode, 422, 'an unknown level is refused')
  t.match(bad.body, /Choose one of the partner levels/)
  t.equal((await db.selectFrom('partners').select('status').where('id', '=', partner.id).executeTakeFirstOrThrow()).status, 'applied')

  const res = await agent.post(`/admin/partners/applications/${application.id}/approve`, { level_id: gold.id })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/admin/partners/applications/${application.id}`)
  const after = await db.selectFrom('partners').selectAll().where('id', '=', partner.id).executeTakeFirstOrThrow()
  t.equal(after.status, 'active')
  t.equal(after.level_id, gold.id)
  const applicant = await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()
  t.equal(applicant.partner_status, 'active')
  t.equal(applicant.role, 'admin')
  const mail = await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', user.email).where('subject', 'like', 'Welcome%').execute()
  t.equal(mail.length, 1, 'a welcome mail')
  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'partner.approved').where('entity_id', '=', partner.id).execute()
  t.equal(audit.length, 1)
  t.equal(audit[0]!.actor_name, 'Rita Recruiter')
  const shown = await agent.get(`/admin/partners/applications/${application.id}`)
  t.match(shown.body, /Approved\. The applicant is now the partner admin/)
  t.match(shown.body, /Decided/)
  t.notMatch(shown.body, /\/approve"/, 'no decision forms once decided')

  const again = await agent.post(`/admin/partners/applications/${application.id}/reject`, { reason: 'Changed our mind after all' })
  t.equal(again.statusCode, 409, 'deciding twice is refused')
  t.match(again.body, /already approved/)
  const twice = await agent.post(`/admin/partners/applications/${application.id}/approve`, { level_id: gold.id })
  t.equal(twice.statusCode, 409)
  const still = await db.selectFrom('partner_applications').selectAll().where('id', '=', application.id).executeTakeFirstOrThrow()
  t.equal(still.status, 'approved')
  t.equal(still.rejection_reason, null)
  t.equal((await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', user.email).execute()).length, 2, 'confirmation and welcome only')
})

t.test('rejecting needs a reason, e-mails it and keeps the record', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const { application, partner, user } = await apply(app, 'nope')
  const agent = await staffAgent(app)

  for (const reason of ['', '   ', 'no']) {
    const res = await agent.post(`/admin/partners/applications/${application.id}/reject`, { reason })
    t.equal(res.statusCode, 422, `reason ${JSON.stringify(reason)} is refused`)
    t.match(res.body, /Reason/)
  }
  t.equal((await db.selectFrom('partner_applications').select('status').where('id', '=', application.id).executeTakeFirstOrThrow()).status, 'pending')
  t.equal((await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', user.email).execute()).length, 1, 'only the confirmation')

  const res = await agent.post(`/admin/partners/applications/${application.id}/reject`, { reason: 'We already have <b>enough</b> partners in your region.' })
  t.equal(res.statusCode, 303)
  const after = await db.selectFrom('partner_applications').selectAll().where('id', '=', application.id).executeTakeFirstOrThrow()
  t.equal(after.status, 'rejected')
  t.equal(after.rejection_reason, 'We already have <b>enough</b> partners in your region.')
  t.equal((await db.selectFrom('partners').select('status').where('id', '=', partner.id).executeTakeFirstOrThrow()).status, 'rejected', 'the record is kept')
  const mail = await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', user.email).where('body', 'like', '%enough%').execute()
  t.equal(mail.length, 1, 'the applicant is e-mailed the reason')
  t.equal((await db.selectFrom('audit_log').selectAll().where('action', '=', 'partner.rejected').execute()).length, 1)
  const page = await agent.get(`/admin/partners/applications/${application.id}`)
  t.match(page.body, /We already have &lt;b&gt;enough&lt;\/b&gt; partners/, 'the reason is shown escaped')

  const again = await agent.post(`/admin/partners/applications/${application.id}/approve`, { level_id: '00000000-0000-4000-8000-000000000000' })
  t.equal(again.statusCode, 409, 'a rejected application cannot be approved')
  t.equal((await db.selectFrom('partners').select('status').where('id', '=', partner.id).executeTakeFirstOrThrow()).status, 'rejected')
})
