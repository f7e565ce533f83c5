import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { adminPermissions, defaultPermissions } from '../../fixtures/permissions.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { backdate } from '../../../modules/opportunities/opportunities.repository.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'

const idFrom = (location: unknown) => String(location).split('/').pop()!

t.test('a partner registers a deal, works it through the stages and wins it; the dashboard shows the revenue', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)

  const empty = (await agent.get('/portal')).body
  t.match(empty, /No open deals yet: register one, or accept an offer when one comes in\.<\/p>\s*<p><a href="\/portal\/opportunities\/new">Register a deal<\/a>/, 'an empty pipeline card says how to fill it')
  t.notMatch(empty, /in 0 open deals|id="pipeline-chart-title"/, 'with no empty chart, total or table')
  t.match((await agent.get('/portal/opportunities/new')).body, /Globex/)
  const created = await agent.post('/portal/opportunities', registrationForm(accountId))
  t.equal(created.statusCode, 303)
  const id = idFrom(created.headers.location)
  const row = await app.diContainer.cradle.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.match(row, { status: 'open', stage: 'qualify', partner_id: acme.partner.id, owner_id: acme.admin.id, account_id: accountId, customer_domain: 'globex.example', source: 'registration' })

  t.equal((await agent.post(`/portal/opportunities/${id}/stage`, { stage: 'propose' })).statusCode, 303)
  const open = await agent.get('/portal')
  t.match(open.body, /<strong>\$25,000<\/strong> <span class="muted">in 1 open deals/, 'the open pipeline counts the deal')
  t.match(open.body, /<th scope="row">Propose<\/th><td class="num">\$25,000<\/td>/, 'in its stage, in the chart’s table')
  t.match(open.body, /Nothing stalled/)
  await backdate(app.diContainer.cradle.db, id, { lastActivityAt: new Date(Date.now() - 30 * 86_400_000) })
  t.match((await agent.get('/portal')).body, /no change since/, 'a deal untouched for 30 days is stalled')
  t.equal((await agent.post(`/portal/opportunities/${id}/notes`, { body: 'Demo went well.' })).statusCode, 303)
  const bad = await agent.post(`/portal/opportunities/${id}/win`, { actual_revenue: 'lots' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Actual revenue must be an amount/)
  t.equal((await agent.post(`/portal/opportunities/${id}/win`, { actual_revenue: '27500.50' })).statusCode, 303)

  const page = await agent.get(`/portal/opportunities/${id}`)
  t.match(page.body, /Moved from qualify to propose/)
  t.match(page.body, /Demo went well/)
  t.match(page.body, /badge-won/)
  const home = await agent.get('/portal')
  t.match(home.body, /Revenue won/)
  t.match(home.body, /\$27,501/, 'this quarter’s won revenue')
  t.equal((await agent.post(`/portal/opportunities/${id}/stage`, { stage: 'close' })).statusCode, 409, 'a closed deal does not move')
})

t.test('registration conflicts: same customer domain at another partner waits for staff approval', async (t) => {
  const { app } = await buildTestApp(t)
  const first = await createActivePartner(app, 'first')
  const second = await createActivePartner(app, 'second')
  const a1 = await createCustomer(app, first.admin.id, 'Initech', { domain: 'initech.example' })
  const a2 = await createCustomer(app, second.admin.id, 'Initech Inc', { domain: 'initech.example' })
  const one = new Agent(app)
  await one.signIn(first.email, first.password)
  const two = new Agent(app)
  await two.signIn(second.email, second.password)
  t.equal((await one.post('/portal/opportunities', registrationForm(a1.accountId))).statusCode, 303)
  const res = await two.post('/portal/opportunities', registrationForm(a2.accountId, { name: 'Initech upgrade' }))
  const id = idFrom(res.headers.location)
  const detail = await two.get(`/portal/opportunities/${id}`)
  t.match(detail.body, /Waiting for approval/)
  t.notMatch(detail.body, /first Ltd/, 'the other partner is never named')
  t.notMatch(detail.body, /Point of sale rollout/)
  const row = await app.diContainer.cradle.db.selectFrom('opportunities').select('status').where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(row.status, 'pending_approval')
  t.equal((await two.post(`/portal/opportunities/${id}/win`, { actual_revenue: '1' })).statusCode, 409, 'a pending registration cannot be closed')
})

t.test('bad input on the registration form saves nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const foreign = await createCustomer(app, other.admin.id, 'Hooli')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const cases: Array<[Record<string, string | string[]>, RegExp, number]> = [
    [{ name: '' }, /Opportunity name is required/, 422],
    [{ name: '<script>alert(1)</script>' }, /must not contain/, 422],
    [{ estimated_revenue: '-5' }, /Estimated revenue must be an amount/, 422],
    [{ estimated_revenue: 'abc' }, /Estimated revenue must be an amount/, 422],
    [{ currency: 'XXX' }, /Choose one of the offered values for Currency/, 422],
    [{ expected_close: '2026-02-30' }, /not a real date/, 422],
    [{ expertise: ['Hacking'] }, /Choose products and expertise from the list/, 422],
    [{ account_id: 'nope' }, /Choose one of your customers/, 422],
    [{ account_id: foreign.accountId }, /not found/, 404]
  ]
  for (const [change, message, status] of cases) {
    const res = await agent.post('/portal/opportunities', registrationForm(accountId, change))
    t.equal(res.statusCode, status, JSON.stringify(change))
    t.match(res.body, message)
  }
  const count = await app.diContainer.cradle.db.selectFrom('opportunities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0)
})

t.test('channel permissions: none, own and company; create and accept rights', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const adminDeal = idFrom((await admin.post('/portal/opportunities', registrationForm(accountId, { name: 'Admin deal' }))).headers.location)

  await createEmployee(app, acme.partner.id, 'none@acme.example', { ...defaultPermissions, customers: { ...adminPermissions.customers }, opportunities: { scope: 'none', create: false, edit: false, delete: false } })
  const own = await createEmployee(app, acme.partner.id, 'own@acme.example', { ...adminPermissions, opportunities: { scope: 'own', create: true, edit: true, delete: false }, acceptOffers: false })
  await createEmployee(app, acme.partner.id, 'company@acme.example', { ...adminPermissions, opportunities: { scope: 'company', create: false, edit: false, delete: false }, acceptOffers: true })

  const noneAgent = new Agent(app)
  await noneAgent.signIn('none@acme.example', partnerPassword)
  t.notMatch((await noneAgent.get('/portal')).body, /href="\/portal\/opportunities"/, 'no menu entry')
  t.equal((await noneAgent.get('/portal/opportunities')).statusCode, 404)
  t.equal((await noneAgent.get(`/portal/opportunities/${adminDeal}`)).statusCode, 404)

  const ownAgent = new Agent(app)
  await ownAgent.signIn('own@acme.example', partnerPassword)
  t.notMatch((await ownAgent.get('/portal/opportunities')).body, /Admin deal/, 'own scope hides colleagues’ deals')
  t.equal((await ownAgent.get(`/portal/opportunities/${adminDeal}`)).statusCode, 404)
  const ownAccount = await createCustomer(app, own.id, 'Own customer')
  t.equal((await ownAgent.post('/portal/opportunities', registrationForm(ownAccount.accountId, { name: 'Own deal' }))).statusCode, 303)
  t.match((await ownAgent.get('/portal/opportunities')).body, /Own deal/)
  t.match((await ownAgent.get('/portal')).body, /<strong>\$25,000<\/strong> <span class="muted">in 1 open deals/, 'their dashboard counts their own deal only')
  const ownBoard = (await ownAgent.get('/portal/opportunities/board')).body
  t.match(ownBoard, /Qualify <span class="muted small">\(1\)<\/span>/, 'and so does their board')
  t.match(ownBoard, /Own deal/)
  t.notMatch(ownBoard, /Admin deal/)

  const companyAgent = new Agent(app)
  await companyAgent.signIn('company@acme.example', partnerPassword)
  const list = await companyAgent.get('/portal/opportunities')
  t.match(list.body, /Admin deal/)
  t.match(list.body, /Own deal/)
  t.match((await companyAgent.get('/portal')).body, /<strong>\$50,000<\/strong> <span class="muted">in 2 open deals/, 'a whole-company dashboard counts both')
  t.match((await companyAgent.get('/portal/opportunities/board')).body, /Qualify <span class="muted small">\(2\)<\/span>/, 'a whole-company board counts both')
  t.equal((await companyAgent.post('/portal/opportunities', registrationForm(accountId))).statusCode, 403, 'no create right')
  t.equal((await companyAgent.post(`/portal/opportunities/${adminDeal}/stage`, { stage: 'develop' })).statusCode, 403, 'no edit right')

  const { deal, staff } = await createStaffDeal(app)
  await app.diContainer.cradle.distribution.offer(staff, deal.id, acme.partner.id, 48)
  const offer = await app.diContainer.cradle.db.selectFrom('opportunity_offers').select('id').where('opportunity_id', '=', deal.id).executeTakeFirstOrThrow()
  t.equal((await ownAgent.post(`/portal/opportunities/offers/${offer.id}/accept`)).statusCode, 403, 'may not accept offers')
  t.match((await ownAgent.get('/portal/opportunities/offers')).body, /lets you see offers but not answer them/)
  const accepted = await companyAgent.post(`/portal/opportunities/offers/${offer.id}/accept`)
  t.equal(accepted.statusCode, 303)
  t.equal((await admin.post(`/portal/opportunities/offers/${offer.id}/accept`)).statusCode, 409, 'the second answer is told it was taken')
})

t.test('collaborators read and add notes but cannot close or return', async (t) => {
  const { app } = await buildTestApp(t)
  const holder = await createActivePartner(app, 'holder')
  const helper = await createActivePartner(app, 'helper')
  const { accountId } = await createCustomer(app, holder.admin.id, 'Globex')
  const agent = new Agent(app)
  await agent.signIn(holder.email, holder.password)
  const id = idFrom((await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Shared deal' }))).headers.location)
  await agent.post(`/portal/opportunities/${id}/notes`, { body: 'Holder note' })
  const staff = (await createStaffDeal(app)).staff
  await app.diContainer.cradle.opportunities.setCollaborator(staff, id, helper.partner.id, true)

  const collaborator = new Agent(app)
  await collaborator.signIn(helper.email, helper.password)
  t.match((await collaborator.get('/portal/opportunities')).body, /Shared with you/)
  const page = await collaborator.get(`/portal/opportunities/${id}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /Holder note/)
  t.equal((await collaborator.post(`/portal/opportunities/${id}/notes`, { body: 'Collaborator note' })).statusCode, 303)
  t.match((await agent.get(`/portal/opportunities/${id}`)).body, /Collaborator note/, 'the holder sees the collaborator’s note')
  t.equal((await collaborator.post(`/portal/opportunities/${id}/win`, { actual_revenue: '1' })).statusCode, 403)
  t.equal((await collaborator.post(`/portal/opportunities/${id}/return`, { reason: 'Not for us' })).statusCode, 403)
  t.equal((await collaborator.post(`/portal/opportunities/${id}/stage`, { stage: 'close' })).statusCode, 403)
})

t.test('returning an accepted deal sends it back to distribution and counts against the partner', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { deal, staff } = await createStaffDeal(app)
  const { distribution, db } = app.diContainer.cradle
  await distribution.offer(staff, deal.id, acme.partner.id, 48)
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const offers = await agent.get('/portal/opportunities/offers')
  t.match(offers.body, /Retail chain/)
  const offer = await db.selectFrom('opportunity_offers').select('id').executeTakeFirstOrThrow()
  const rejectBlank = await agent.post(`/portal/opportunities/offers/${offer.id}/reject`, { reason: '' })
  t.equal(rejectBlank.statusCode, 422)
  t.match(rejectBlank.body, /Reason is required|at least 5 characters/)
  t.equal((await agent.post(`/portal/opportunities/offers/${offer.id}/accept`)).statusCode, 303)
  const accepted = await db.selectFrom('opportunities').selectAll().where('id', '=', deal.id).executeTakeFirstOrThrow()
  t.match(accepted, { status: 'open', partner_id: acme.partner.id })
  t.ok(accepted.account_id, 'the customer became one of the partner’s accounts')

  t.equal((await agent.post(`/portal/opportunities/${deal.id}/return`, { reason: 'x' })).statusCode, 422)
  t.equal((await agent.post(`/portal/opportunities/${deal.id}/return`, { reason: 'No capacity this quarter' })).statusCode, 303)
  const returned = await db.selectFrom('opportunities').selectAll().where('id', '=', deal.id).executeTakeFirstOrThrow()
  t.match(returned, { status: 'queued', partner_id: null, refusals: 1 })
  const offerRow = await db.selectFrom('opportunity_offers').select('status').where('id', '=', offer.id).executeTakeFirstOrThrow()
  t.equal(offerRow.status, 'returned')
  t.equal((await agent.get(`/portal/opportunities/${deal.id}`)).statusCode, 404, 'the former holder no longer sees it')
})

t.test('the pipeline pages through own and shared deals without gaps or repeats', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const { opportunities } = app.diContainer.cradle
  const { viewerFor } = await import('../../fixtures/customers.ts')
  const mine = await viewerFor(app, acme.admin.id)
  const theirs = await viewerFor(app, other.admin.id)
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const otherAccount = await createCustomer(app, other.admin.id, 'Initech')
  const names: string[] = []
  for (let i = 0; i < 28; i++) {
    names.push(`Own deal ${i}`)
    await opportunities.register(mine, parseForm(RegistrationForm, registrationForm(accountId, { name: `Own deal ${i}` })))
  }
  const staff = (await createStaffDeal(app)).staff
  for (let i = 0; i < 2; i++) {
    const shared = await opportunities.register(theirs, parseForm(RegistrationForm, registrationForm(otherAccount.accountId, { name: `Shared deal ${i}` })))
    await opportunities.setCollaborator(staff, shared.id, acme.partner.id, true)
    names.push(`Shared deal ${i}`)
  }
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const seen: string[] = []
  let url: string | undefined = '/portal/opportunities'
  while (url) {
    const body: string = (await agent.get(url)).body
    seen.push(...[...body.matchAll(/>((?:Own|Shared) deal \d+)</g)].map((m) => m[1]!))
    const next: string | undefined = /href="([^"]*after=[^"]+)">Next page/.exec(body)?.[1]
    url = next?.replace(/&amp;/g, '&')
  }
  t.equal(seen.length, 30)
  t.same([...seen].sort(), [...names].sort(), 'every deal once, own and shared')
})

t.test('the board shows each stage’s soonest deals, its count and total, and links to the rest', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const { accountId, agent } = await partnerWithCustomer(app)
  t.match((await agent.get('/portal/opportunities/board')).body, /Nothing here/, 'an empty board says so')

  const first = idFrom((await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Deal 00' }))).headers.location)
  const template = await db.selectFrom('opportunities').selectAll().where('id', '=', first).executeTakeFirstOrThrow()
  for (let i = 1; i <= 22; i++) {
    await db.insertInto('opportunities').values({
      ...template, id: undefined, number: undefined, name: `Deal ${String(i).padStart(2, '0')}`, stage: i === 22 ? 'develop' : 'qualify',
      expected_close: `2027-01-${String(i).padStart(2, '0')}`, estimated_revenue: '1000'
    } as never).execute()
  }
  const board = (await agent.get('/portal/opportunities/board')).body
  t.match(board, /Qualify <span class="muted small">\(22\)<\/span>/, 'the column counts all 22 qualifying deals')
  t.match(board, /\$46,000/, 'and totals their value (25,000 + 21 × 1,000)')
  t.equal((board.match(/class="board-card"/g) ?? []).length, 16, '15 cards in Qualify and 1 in Develop')
  t.match(board, /All 22 in Qualify/, 'with a link to the rest')
  t.notMatch(board, /Deal (1[6-9]|2[01])/, 'the latest-closing qualifying deals are the ones left out')
})
