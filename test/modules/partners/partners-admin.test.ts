import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'

async function staffAgent(app: FastifyInstance) {
  await createUser(app, { email: 'manager@staff.example', name: 'Max Manager' })
  const agent = new Agent(app)
  await agent.signIn('manager@staff.example', 'correct-horse-battery')
  return agent
}

const partnerRow = (app: FastifyInstance, id: string) =>
  app.diContainer.cradle.db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

t.test('the directory lists partners with search, filters and pages', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners } = app.diContainer.cradle
  const alpha = await createActivePartner(app, 'alpha', { country: 'DE', territories: ['DE', 'AT', 'CH', 'LI'], expertise: ['Training'] })
  const beta = await createActivePartner(app, 'beta', { country: 'FR', territories: ['FR'], expertise: ['Consulting'] })
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 9, benefits: '' })
  await partners.staffUpdate(systemActor, beta.partner.id, { level_id: gold.id, territories: ['FR'], expertise: ['Consulting'], capacity: 5 })
  const agent = await staffAgent(app)

  const all = await agent.get('/admin/partners')
  t.equal(all.statusCode, 200)
  t.match(all.body, /alpha Ltd/)
  t.match(all.body, /beta Ltd/)
  t.match(all.body, /Germany, Austria and 2 more/, 'long territory lists are shortened')
  const only = (url: string) => agent.get(url).then((r) => [...r.body.matchAll(/href="\/admin\/partners\/([0-9a-f-]{36})"/g)].map((m) => m[1]))
  t.same(await only('/admin/partners?q=alph'), [alpha.partner.id])
  t.same(await only('/admin/partners?q=beta.example'), [beta.partner.id], 'search by domain')
  t.same(await only(`/admin/partners?level=${gold.id}`), [beta.partner.id])
  t.same(await only('/admin/partners?country=DE'), [alpha.partner.id])
  t.same(await only('/admin/partners?territory=CH'), [alpha.partner.id])
  t.same(await only('/admin/partners?expertise=Consulting'), [beta.partner.id])
  t.same(await only('/admin/partners?status=suspended'), [])
  t.match((await agent.get('/admin/partners?q=zzz')).body, /No partner matches/)
  const odd = await agent.get('/admin/partners?level=not-a-uuid&status=%3Cb%3E&after=AAAA')
  t.equal(odd.statusCode, 200, 'unknown filter values and cursors are ignored')

  for (let i = 0; i < 26; i++) {
    await partners.apply(applicationForm({
      company_name: `Bulk ${String(i).padStart(2, '0')}`, website: `https://bulk${i}.example`, email: `a@bulk${i}.example`
    }))
  }
  const first = await agent.get('/admin/partners')
  const next = /href="([^"]*after=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&')
  t.ok(next, 'a next page')
  const second = await agent.get(next!)
  const ids = [first.body, second.body].flatMap((b) => [...b.matchAll(/href="\/admin\/partners\/([0-9a-f-]{36})"/g)].map((m) => m[1]))
  t.equal(ids.length, 28)
  t.equal(new Set(ids).size, 28, 'no partner twice')
})

t.test('a partner page shows details, contacts, application, notes and history', async (t) => {
  const { app } = await buildTestApp(t)
  const { partner, application } = await createActivePartner(app, 'gamma', { job_title: 'Managing Director' })
  await createEmployee(app, partner.id, 'sam@gamma.example')
  const agent = await staffAgent(app)
  const res = await agent.get(`/admin/partners/${partner.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /gamma Admin/)
  t.match(res.body, /admin@gamma\.example/)
  t.match(res.body, /Partner admin/)
  t.match(res.body, /sam@gamma\.example/)
  t.match(res.body, new RegExp(`href="/admin/partners/applications/${application.id}"`))
  t.match(res.body, /Approved/, 'history')
  const note = await agent.post(`/admin/partners/${partner.id}/notes`, { body: 'Quarterly review booked.' })
  t.equal(note.statusCode, 303)
  t.match((await agent.get(`/admin/partners/${partner.id}`)).body, /Quarterly review booked\./)
  t.equal((await agent.get('/admin/partners/00000000-0000-4000-8000-000000000000')).statusCode, 404)
})

t.test('staff change level, territories, expertise and capacity; bad input changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners, db } = app.diContainer.cradle
  const { partner } = await createActivePartner(app, 'delta')
  const platinum = await partners.saveLevel(systemActor, null, { name: 'Platinum', rank: 10, benefits: '' })
  const agent = await staffAgent(app)
  const before = await partnerRow(app, partner.id)
  const good = { level_id: platinum.id, territories: ['DE', 'FR'], expertise: ['Training', 'Consulting'], capacity: '40' }

  const bad: Array<[string, Record<string, string | string[]>, RegExp]> = [
    ['unknown level', { ...good, level_id: '00000000-0000-4000-8000-000000000000' }, /Choose one of the partner levels/],
    ['malformed level', { ...good, level_id: 'gold' }, /Choose a level/],
    ['territory XX', { ...good, territories: ['DE', 'XX'] }, /Choose territories from the list/],
    ['script as territory', { ...good, territories: ['<script>alert(1)</script>'] }, /Choose territories from the list/],
    ['script as expertise', { ...good, expertise: ['<script>alert(1)</script>'] }, /Choose expertise from the list/],
    ['negative capacity', { ...good, capacity: '-1' }, /Capacity must be a whole number/],
    ['text capacity', { ...good, capacity: 'abc' }, /Capacity must be a whole number/],
    ['empty capacity', { ...good, capacity: '' }, /Capacity/]
  ]
  for (const [what, form, message] of bad) {
    const res = await agent.post(`/admin/partners/${partner.id}`, form)
    t.equal(res.statusCode, 422, `${what} is refused`)
    t.match(res.body, message, `${what}: says why`)
    t.notMatch(res.body, /<script>alert/, `${what}: nothing echoed unescaped`)
  }
  t.same(await partnerRow(app, partner.id), before, 'nothing changed')

  const res = await agent.post(`/admin/partners/${partner.id}`, good)
  t.equal(res.statusCode, 303)
  const after = await partnerRow(app, partner.id)
  t.equal(after.level_id, platinum.id)
  t.same(after.territories, ['DE', 'FR'])
  t.same(after.expertise, ['Training', 'Consulting'])
  t.equal(after.capacity, 40)
  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'partner.updated').where('entity_id', '=', partner.id).execute()
  t.equal(audit.length, 1, 'audited')
})

t.test('suspending signs the company out until it is reactivated', async (t) => {
  const { app } = await buildTestApp(t)
  const { partner, email } = await createActivePartner(app, 'epsilon')
  const member = new Agent(app)
  await member.signIn(email, partnerPassword)
  t.equal((await member.get('/portal')).statusCode, 200)
  const agent = await staffAgent(app)

  const empty = await agent.post(`/admin/partners/${partner.id}/suspend`, { reason: ' ' })
  t.equal(empty.statusCode, 422, 'a reason is required')
  t.equal((await partnerRow(app, partner.id)).status, 'active')
  t.match((await agent.get(`/admin/partners/${partner.id}`)).body, /data-confirm="Suspend epsilon Ltd\?/)

  const res = await agent.post(`/admin/partners/${partner.id}/suspend`, { reason: 'Unpaid invoices since March.' })
  t.equal(res.statusCode, 303)
  t.equal((await partnerRow(app, partner.id)).status, 'suspended')
  const next = await member.get('/portal')
  t.not(next.statusCode, 200, 'the partner user is out at the next request')
  t.match((await agent.get(`/admin/partners/${partner.id}`)).body, /Unpaid invoices since March\./, 'the reason is in the history')

  const twice = await agent.post(`/admin/partners/${partner.id}/suspend`, { reason: 'Again, just in case.' })
  t.equal(twice.statusCode, 409)
  t.match(twice.body, /Only an active partner can be suspended/)

  const back = await agent.post(`/admin/partners/${partner.id}/reactivate`)
  t.equal(back.statusCode, 303)
  t.equal((await partnerRow(app, partner.id)).status, 'active')
  const again = new Agent(app)
  await again.signIn(email, partnerPassword)
  t.equal((await again.get('/portal')).statusCode, 200, 'they can sign in again')
  t.equal((await agent.post(`/admin/partners/${partner.id}/reactivate`)).statusCode, 409)
})

t.test('partner users cannot reach any staff partner page', async (t) => {
  const { app } = await buildTestApp(t)
  const { partner, application, email } = await createActivePartner(app, 'zeta')
  const agent = new Agent(app)
  await agent.signIn(email, partnerPassword)
  const gets = ['/admin/partners', `/admin/partners/${partner.id}`, '/admin/partners/applications', `/admin/partners/applications/${application.id}`]
  for (const url of gets) t.equal((await agent.get(url)).statusCode, 403, `GET ${url}`)
  const posts = [`/admin/partners/${partner.id}`, `/admin/partners/${partner.id}/suspend`, `/admin/partners/${partner.id}/reactivate`,
    `/admin/partners/${partner.id}/notes`, `/admin/partners/applications/${application.id}/approve`,
    `/admin/partners/applications/${application.id}/reject`, `/admin/partners/applications/${application.id}/notes`]
  for (const url of posts) t.equal((await agent.post(url, { reason: 'Trying my luck here', body: 'x', capacity: '999' })).statusCode, 403, `POST ${url}`)
  t.equal((await partnerRow(app, partner.id)).capacity, 25, 'nothing changed')
})
