import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'
import { fill } from '../../security/isolation.ts'

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)
const dealForm = (overrides: Record<string, string | string[]> = {}) => ({
  name: 'Warehouse robots', customer_name: 'Lakeshore Retail', customer_website: '', territory: 'US', expertise: ['Consulting'],
  estimated_revenue: '80000', currency: 'USD', expected_close: inDays(45), description: '', distribution: 'manual', ...overrides
})

async function staffAgent(app: FastifyInstance, role: 'admin' | 'member' = 'member') {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@staff.example`
  await createUser(app, { email, name: 'Sam Staff', role })
  const agent = new Agent(app)
  await agent.signIn(email, 'correct-horse-battery')
  return agent
}

const count = async (app: FastifyInstance, table: 'opportunities' | 'opportunity_events' | 'opportunity_collaborators' | 'opportunity_offers') =>
  Number((await app.diContainer.cradle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
const idsIn = (html: string) => [...html.matchAll(/href="\/admin\/opportunities\/([0-9a-f-]{36})"/g)].map((m) => m[1]!)
const nextLink = (html: string) => /href="([^"]*after=[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')

t.test('creating an opportunity validates every field and saves nothing on bad input', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await staffAgent(app)
  const form = await staff.get('/admin/opportunities/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /name="distribution" value="auto" checked/, 'automatic distribution is the rules’ default')
  t.match(form.body, /value="Consulting"/, 'expertise comes from the program')

  const cases: Array<[Record<string, string | string[]>, RegExp]> = [
    [{ name: '' }, /Opportunity name is required/],
    [{ customer_name: '<b>x</b>' }, /Customer must not contain/],
    [{ customer_website: 'lakeshore' }, /Customer website must be a web address/],
    [{ territory: 'XX' }, /Territory must be one of the listed countries/],
    [{ estimated_revenue: '12,000' }, /Estimated revenue must be an amount/],
    [{ currency: 'BTC' }, /Choose one of the offered values for Currency/],
    [{ expected_close: '2026-13-01' }, /not a real date/],
    [{ expertise: ['Juggling'] }, /Choose products and expertise from the list/],
    [{ distribution: 'random' }, /Choose one of the offered values for Distribution/]
  ]
  for (const [change, message] of cases) {
    const res = await staff.post('/admin/opportunities', dealForm(change))
    t.equal(res.statusCode, 422, JSON.stringify(change))
    t.match(res.body, message)
  }
  const kept = await staff.post('/admin/opportunities', dealForm({ name: '', description: 'Keep <this>' }))
  t.match(kept.body, /Keep &lt;this&gt;/, 'what was typed comes back, escaped')
  t.match(kept.body, /value="Consulting" checked/)
  t.equal(await count(app, 'opportunities'), 0, 'nothing saved')

  const created = await staff.post('/admin/opportunities', dealForm())
  t.equal(created.statusCode, 303)
  t.equal(await count(app, 'opportunities'), 1)
})

t.test('the list filters by status, stage, partner and search, counts per status and pages without gaps', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const made: string[] = []
  for (let i = 0; i < 27; i++) made.push((await createStaffDeal(app, { name: `Deal ${String(i).padStart(2, '0')}` })).deal.id)
  // Every row changed in the same instant: only the id orders them, so the cursor must carry the full timestamp.
  await sql`update opportunities set updated_at = date_trunc('second', now()) + interval '123456 microseconds'`.execute(db)
  await db.updateTable('opportunities').set({ status: 'open', partner_id: acme.partner.id, stage: 'propose' }).where('id', 'in', made.slice(0, 2)).execute()
  await db.updateTable('opportunities').set({ customer_name: 'Umbrella Corp' }).where('id', '=', made[5]!).execute()

  const staff = await staffAgent(app)
  const first = await staff.get('/admin/opportunities')
  t.equal(first.statusCode, 200)
  t.match(first.body, /All <span class="tab-count">27</)
  t.match(first.body, /Staff queue <span class="tab-count tab-count-due">25</)
  t.match(first.body, /Open <span class="tab-count">2</)
  const page1 = idsIn(first.body)
  t.equal(page1.length, 25)
  const second = await staff.get(nextLink(first.body)!)
  const page2 = idsIn(second.body)
  t.equal(page2.length, 2)
  t.same(new Set([...page1, ...page2]), new Set(made), 'every deal exactly once')

  t.same(new Set(idsIn((await staff.get('/admin/opportunities?status=open')).body)), new Set(made.slice(0, 2)))
  t.same(new Set(idsIn((await staff.get('/admin/opportunities?stage=propose')).body)), new Set(made.slice(0, 2)))
  const byPartner = await staff.get(`/admin/opportunities?partner=${acme.partner.id}`)
  t.same(new Set(idsIn(byPartner.body)), new Set(made.slice(0, 2)))
  t.match(byPartner.body, /acme Ltd <a href="\/admin\/opportunities">Any partner<\/a>/)
  t.match(byPartner.body, /All <span class="tab-count">2</, 'the counts follow the partner')
  t.same(idsIn((await staff.get('/admin/opportunities?q=umbrella')).body), [made[5]])
  const number = (await db.selectFrom('opportunities').select('number').where('id', '=', made[7]!).executeTakeFirstOrThrow()).number
  t.same(idsIn((await staff.get(`/admin/opportunities?q=%23${number}`)).body), [made[7]], 'search by #number')
  t.match((await staff.get('/admin/opportunities?q=nothing-like-this')).body, /No opportunity matches these filters/)
  const odd = await staff.get('/admin/opportunities?status=bogus&stage=%3Cx%3E&partner=nope&after=garbage')
  t.equal(odd.statusCode, 200, 'unknown filters and a bad cursor are ignored')
  t.equal(idsIn(odd.body).length, 25)
})

t.test('the opportunity page: offers with their reasons, collaborators and notes', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const beta = await createActivePartner(app, 'beta')
  const { deal } = await createStaffDeal(app)
  const staff = await staffAgent(app)

  const page = await staff.get(`/admin/opportunities/${deal.id}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /Offer to the best partner: acme Ltd/)
  t.match(page.body, /Serves United States/, 'each factor’s note')
  t.match(page.body, /Open load vs capacity/)
  t.notMatch(page.body, /style=/, 'no inline styles')

  const badHours = await staff.post(`/admin/opportunities/${deal.id}/offer`, { partner_id: acme.partner.id, hours: '0' })
  t.equal(badHours.statusCode, 422)
  t.match(badHours.body, /Hours to answer must be a whole number from 1 to 720/)
  const nobody = await staff.post(`/admin/opportunities/${deal.id}/offer`, { partner_id: '00000000-0000-4000-8000-000000000000', hours: '12' })
  t.equal(nobody.statusCode, 422)
  t.match(nobody.body, /Choose an active partner/)
  t.equal(await count(app, 'opportunity_offers'), 0, 'no offer made')

  t.equal((await staff.post(`/admin/opportunities/${deal.id}/offer-best`)).statusCode, 303)
  const offered = await staff.get(`/admin/opportunities/${deal.id}`)
  t.match(offered.body, /Offered to the best eligible partner/)
  t.match(offered.body, /Why this partner/)
  t.notMatch(offered.body, /id="distribution-title"/)

  const events = await count(app, 'opportunity_events')
  const empty = await staff.post(`/admin/opportunities/${deal.id}/notes`, { body: ' ' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Note is required/)
  t.equal(await count(app, 'opportunity_events'), events)
  t.equal((await staff.post(`/admin/opportunities/${deal.id}/notes`, { body: 'Customer prefers <b>local</b> partners.' })).statusCode, 303)
  t.equal((await staff.post(`/admin/opportunities/${deal.id}/notes`, { body: 'Kick-off planned for March.', shared: 'on' })).statusCode, 303)
  const notes = await app.diContainer.cradle.db.selectFrom('opportunity_events').select(['body', 'staff_only']).where('kind', '=', 'note').orderBy('at').execute()
  t.same(notes, [{ body: 'Customer prefers <b>local</b> partners.', staff_only: true }, { body: 'Kick-off planned for March.', staff_only: false }])
  t.match((await staff.get(`/admin/opportunities/${deal.id}`)).body, /Customer prefers &lt;b&gt;local&lt;\/b&gt; partners\./)

  const notActive = await staff.post(`/admin/opportunities/${deal.id}/collaborators`, { partner_id: '00000000-0000-4000-8000-000000000000' })
  t.equal(notActive.statusCode, 422)
  t.match(notActive.body, /Choose an active partner/)
  t.equal((await staff.post(`/admin/opportunities/${deal.id}/collaborators`, { partner_id: 'x' })).statusCode, 422)
  t.equal(await count(app, 'opportunity_collaborators'), 0)
  t.equal((await staff.post(`/admin/opportunities/${deal.id}/collaborators`, { partner_id: beta.partner.id })).statusCode, 303)
  const shared = await staff.get(`/admin/opportunities/${deal.id}`)
  t.match(shared.body, /Shared with beta Ltd as a collaborator/)
  t.match(shared.body, new RegExp(`/collaborators/${beta.partner.id}/remove`))
  t.equal((await staff.post(`/admin/opportunities/${deal.id}/collaborators/${beta.partner.id}/remove`)).statusCode, 303)
  t.equal(await count(app, 'opportunity_collaborators'), 0)

  t.equal((await staff.get('/admin/opportunities/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.equal((await staff.get('/admin/opportunities/not-an-id')).statusCode, 404)
  t.equal((await staff.post('/admin/opportunities/00000000-0000-4000-8000-000000000000/notes', { body: 'Hello there' })).statusCode, 404)
})

t.test('the channel page: figures per partner, sortable, searchable, with a chart of revenue won', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, distribution, opportunities } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  await createActivePartner(app, 'zenith')
  for (const revenue of ['50000', '30000']) {
    const { deal } = await createStaffDeal(app, { distribution: 'auto', estimated_revenue: revenue })
    const offer = await db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', deal.id).executeTakeFirstOrThrow()
    await distribution.accept(await viewerFor(app, acme.admin.id), offer.id)
  }
  const won = await db.selectFrom('opportunities').select('id').where('estimated_revenue', '=', '50000').executeTakeFirstOrThrow()
  await opportunities.win(await viewerFor(app, acme.admin.id), won.id, '55000')

  const staff = await staffAgent(app)
  const res = await staff.get('/admin/opportunities/channel')
  t.equal(res.statusCode, 200)
  t.match(res.body, /Top partners by revenue won this year \(USD\)/)
  t.match(res.body, /<th scope="row">acme Ltd<\/th><td class="num">\$55K<\/td>/, 'the chart’s figures in a table')
  const acmeRow = res.body.slice(res.body.indexOf('>acme Ltd</a>'), res.body.indexOf('</tr>', res.body.indexOf('>acme Ltd</a>')))
  t.match(acmeRow, /\$30,000<div class="muted small">1 open/, 'open pipeline')
  t.match(acmeRow, /\$55,000<div class="muted small">1 won/, 'won this year')
  t.match(acmeRow, /100%/, 'win rate and acceptance rate')
  t.ok(res.body.indexOf('acme Ltd</a>') < res.body.indexOf('zenith Ltd</a>'), 'sorted by revenue won')
  const byName = await staff.get('/admin/opportunities/channel?sort=name')
  t.match(byName.body, /aria-sort="ascending"/)
  const search = await staff.get('/admin/opportunities/channel?q=zen')
  t.match(search.body, /zenith Ltd/)
  t.notMatch(search.body, /acme Ltd<\/a>/)
  const euro = await staff.get('/admin/opportunities/channel?currency=EUR&sort=%3Cx%3E')
  t.equal(euro.statusCode, 200)
  t.match(euro.body, /No deal in EUR has been won this year yet/)
})

t.test('staff admins set the distribution rules; bad input saves nothing; other staff may not', async (t) => {
  const { app } = await buildTestApp(t)
  const { distribution } = app.diContainer.cradle
  const admin = await staffAgent(app, 'admin')
  const page = await admin.get('/admin/opportunities/rules')
  t.equal(page.statusCode, 200)
  t.match(page.body, /name="w_territory" type="number" value="25"/)
  t.match(page.body, /name="require_territory" aria-describedby="f-require_territory-hint" checked/)

  const form = {
    auto_distribute: 'on', offer_hours: '48', max_refusals: '2', require_territory: 'on', respect_capacity: 'on', min_level_rank: '1',
    large_deal_revenue: '250000', large_deal_min_rank: '2', stall_days: '21', w_territory: '30', w_expertise: '20', w_level: '10', w_load: '10',
    w_winRate: '10', w_acceptanceRate: '5', w_returnRate: '5', w_stallRate: '5', w_responseTime: '3', w_timeToClose: '2'
  }
  const before = await distribution.rules()
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ offer_hours: '0' }, /Hours to answer an offer must be a whole number from 1 to 720/],
    [{ max_refusals: 'many' }, /Refusals before the staff queue must be a whole number/],
    [{ large_deal_revenue: '-1' }, /Large deal from must be an amount/],
    [{ w_level: '101' }, /Level weight must be a whole number from 0 to 100/],
    [Object.fromEntries(Object.keys(form).filter((k) => k.startsWith('w_')).map((k) => [k, '0'])), /Give at least one factor a weight above 0/]
  ]
  for (const [change, message] of bad) {
    const res = await admin.post('/admin/opportunities/rules', { ...form, ...change })
    t.equal(res.statusCode, 422, JSON.stringify(change))
    t.match(res.body, message)
  }
  t.same(await distribution.rules(), before, 'nothing saved')

  t.equal((await admin.post('/admin/opportunities/rules', form)).statusCode, 303)
  const after = await distribution.rules()
  t.match(after, {
    auto_distribute: true, offer_hours: 48, max_refusals: 2, require_territory: true, require_expertise: false, respect_capacity: true,
    min_level_rank: 1, large_deal_min_rank: 2, stall_days: 21
  })
  t.equal(Number(after.large_deal_revenue), 250000)
  t.same(after.weights, { territory: 30, expertise: 20, level: 10, load: 10, winRate: 10, acceptanceRate: 5, returnRate: 5, stallRate: 5, responseTime: 3, timeToClose: 2 })
  t.match((await admin.get('/admin/opportunities/rules')).body, /Distribution rules saved/)

  const member = await staffAgent(app, 'member')
  t.equal((await member.get('/admin/opportunities/rules')).statusCode, 403)
  t.equal((await member.post('/admin/opportunities/rules', form)).statusCode, 403)
  t.notMatch((await member.get('/admin/opportunities')).body, /href="\/admin\/opportunities\/rules"/, 'nor is it in their menu')
})

t.test('partner users get 403 on every staff opportunity route', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { deal } = await createStaffDeal(app)
  const partner = new Agent(app)
  await partner.signIn(acme.email, acme.password)
  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/admin/opportunities'))
  t.ok(routes.length >= 14, `the app declares the staff routes (${routes.length})`)
  const offers = await count(app, 'opportunity_offers')
  for (const route of routes) {
    const url = fill(route.url, deal.id)
    const res = route.method === 'GET' ? await partner.get(url) : await partner.post(url, { partner_id: acme.partner.id, hours: '12', body: 'Let me in', reason: 'Because I can' })
    t.equal(res.statusCode, 403, `${route.method} ${url}`)
  }
  t.equal(await count(app, 'opportunity_offers'), offers, 'nothing was offered')
  t.equal((await app.diContainer.cradle.db.selectFrom('opportunities').select('status').where('id', '=', deal.id).executeTakeFirstOrThrow()).status, 'queued')
})
