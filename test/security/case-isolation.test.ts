import t from 'tap'
import { Agent, buildTestApp } from '../helper.ts'
import { caseForm, openCase, partnerWithDeal, png, postWithFile, staffAgent } from '../fixtures/cases.ts'
import { createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { adminPermissions } from '../fixtures/permissions.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

type App = Awaited<ReturnType<typeof buildTestApp>>['app']

/** A partner with a case about its deal and customer, a file on it, a staff reply with a file, an internal note with a file, and a deflection. */
async function busyPartner(app: App, slug: string, desk: Agent) {
  const partner = await partnerWithDeal(app, slug)
  const opened = await postWithFile(partner.agent, '/portal/cases', caseForm({ subject: `${slug} secret case`, opportunity_id: partner.dealId, account_id: partner.accountId }), { name: `${slug}-shot.png`, type: 'image/png', data: png })
  if (opened.statusCode !== 303) throw new Error(`opening failed: ${opened.statusCode}`)
  const caseId = String(opened.headers.location).split('/').pop()!
  await postWithFile(desk, `/admin/cases/${caseId}/replies`, { body: `${slug} public answer`, next_status: '' }, { name: `${slug}-answer.pdf`, type: 'application/pdf', data: Buffer.from('%PDF-1.4 answer') })
  await postWithFile(desk, `/admin/cases/${caseId}/notes`, { note: `${slug} internal note` }, { name: `${slug}-internal.pdf`, type: 'application/pdf', data: Buffer.from('%PDF-1.4 internal') })
  await partner.agent.post('/portal/cases/deflections', { provider: 'knowledge', href: '/portal/knowledge/articles/x', title: `${slug} answer`, subject: 'x' })
  return { ...partner, caseId, ids: await idsOwnedBy(app, partner.partner.id) }
}

t.test('every partner route with an id answers 404 for another partner’s cases, files, customers and deals, and changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const desk = await staffAgent(app)
  const victim = await busyPartner(app, 'victim', desk.agent)
  const attacker = await busyPartner(app, 'attacker', desk.agent)
  const { db } = app.diContainer.cradle
  const files = await db.selectFrom('case_attachments').select(['id', 'internal']).where('partner_id', '=', victim.partner.id).execute()
  t.equal(files.length, 3, 'the victim’s case has its three files')
  t.ok(files.every((f) => victim.ids.includes(f.id)), 'and the walk tries each')

  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/portal') && r.url.includes(':'))
  t.ok(routes.some((r) => r.url.startsWith('/portal/cases/')), 'case routes are among them')
  const before = await fingerprint(app)
  for (const route of routes) {
    for (const id of victim.ids) {
      const url = fill(route.url, id)
      const res = route.method === 'GET' ? await attacker.agent.get(url) : await attacker.agent.post(url, { body: 'x', rating: '5', reason: 'x', stage: 'close', actual_revenue: '1' })
      t.equal(res.statusCode, 404, `${route.method} ${url}`)
    }
  }
  for (const file of files) {
    t.equal((await attacker.agent.get(`/portal/cases/files/${file.id}`)).statusCode, 404, 'another partner’s file')
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})

t.test('the new-case form, its pickers and its submission reach only the caller’s customers, deals and cases', async (t) => {
  const { app } = await buildTestApp(t)
  const desk = await staffAgent(app)
  const victim = await busyPartner(app, 'victim', desk.agent)
  const attacker = await busyPartner(app, 'attacker', desk.agent)
  const htmx = { 'hx-request': 'true' }
  for (const url of ['/portal/cases/new', '/portal/cases/account-options?q=customer', '/portal/cases/deal-options?deal_q=deal', '/portal/cases/new?q=customer&deal_q=deal']) {
    const body = (await attacker.agent.get(url, htmx)).body
    t.notMatch(body, victim.accountId, `${url}: never another partner’s customer`)
    t.notMatch(body, victim.dealId, `${url}: nor deal`)
    t.notMatch(body, 'victim ', `${url}: nor anything named for them`)
  }
  t.match((await attacker.agent.get('/portal/cases/deal-options?deal_q=deal', htmx)).body, attacker.dealId, 'the own deal is offered')
  for (const url of [
    `/portal/cases/new?account_id=${victim.accountId}`, `/portal/cases/new?opportunity_id=${victim.dealId}`, `/portal/cases/new?follow_up_of=${victim.caseId}`,
    `/portal/cases/account-options?account_id=${victim.accountId}`, `/portal/cases/deal-options?opportunity_id=${victim.dealId}`
  ]) {
    const res = await attacker.agent.get(url, htmx)
    t.equal(res.statusCode, 404, url)
    t.notMatch(res.body, 'victim', `${url} says nothing about it`)
  }

  const before = await fingerprint(app)
  for (const [change, what] of [
    [{ account_id: victim.accountId }, 'another partner’s customer'], [{ opportunity_id: victim.dealId }, 'another partner’s deal'],
    [{ follow_up_of: victim.caseId }, 'another partner’s case'], [{ opportunity_id: victim.dealId, subject: '' }, 'another partner’s deal, with another field wrong too']
  ] as const) {
    const res = await attacker.agent.post('/portal/cases', caseForm(change))
    t.equal(res.statusCode, 404, what)
    t.notMatch(res.body, 'victim', `${what}: nothing about it shows`)
  }
  const malformed = await attacker.agent.post('/portal/cases', caseForm({ opportunity_id: 'nope', subject: '' }))
  t.equal(malformed.statusCode, 422)
  t.match(malformed.body, /Choose one of your opportunities/)
  t.match(malformed.body, /Subject is required/)
  t.same(await fingerprint(app), before, 'nothing was saved')
})

t.test('lists, fragments and pages never show another partner’s cases, nor any internal note', async (t) => {
  const { app } = await buildTestApp(t)
  const desk = await staffAgent(app)
  const victim = await busyPartner(app, 'victim', desk.agent)
  const attacker = await busyPartner(app, 'attacker', desk.agent)
  const pages = app.routeCatalog.filter((r) => r.method === 'GET' && r.url.startsWith('/portal') && !r.url.includes(':'))
  for (const page of pages) {
    for (const agent of [attacker.agent, victim.agent]) {
      const res = await agent.get(page.url)
      for (const secret of ['victim internal note', 'attacker internal note', 'internal.pdf']) t.notMatch(res.body, secret, `${page.url} never shows ${secret}`)
    }
    const res = await attacker.agent.get(page.url)
    for (const secret of ['victim secret case', 'victim public answer', victim.caseId]) t.notMatch(res.body, secret, `${page.url} does not show ${secret}`)
  }
  for (const [agent, own] of [[victim.agent, victim], [attacker.agent, attacker]] as const) {
    const page = await agent.get(`/portal/cases/${own.caseId}`)
    t.match(page.body, 'public answer', 'the partner reads the staff’s reply')
    t.match(page.body, 'answer.pdf', 'and its file')
    t.notMatch(page.body, /internal note|internal\.pdf|Staff only/, 'never the note or its file')
    const internalFile = await app.diContainer.cradle.db.selectFrom('case_attachments').select('id').where('case_id', '=', own.caseId).where('internal', '=', true).executeTakeFirstOrThrow()
    t.equal((await agent.get(`/portal/cases/files/${internalFile.id}`)).statusCode, 404, 'the note’s file is not served to the partner')
    const dealPage = await agent.get(`/portal/opportunities/${own.dealId}`)
    t.match(dealPage.body, 'secret case', 'the deal’s panel lists the case')
    t.notMatch(dealPage.body, 'internal note')
  }
  const mails = await app.diContainer.cradle.db.selectFrom('mail_outbox').select('body').execute()
  t.ok(mails.some((m) => m.body.includes('victim public answer')), 'the reply was e-mailed')
  t.notOk(mails.some((m) => m.body.includes('internal note')), 'no e-mail carries an internal note')
})

t.test('"own records" see the cases they opened; the whole company’s scope and partner admins see every case of the company', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const scoped = (scope: 'own' | 'company') => ({ ...adminPermissions, cases: { scope, create: true, edit: true, delete: false } })
  await createEmployee(app, acme.partner.id, 'own@acme.example', scoped('own'))
  await createEmployee(app, acme.partner.id, 'lead@acme.example', scoped('company'))
  const own = new Agent(app)
  await own.signIn('own@acme.example', partnerPassword)
  const lead = new Agent(app)
  await lead.signIn('lead@acme.example', partnerPassword)
  const adminCase = await openCase(acme.agent, { subject: 'Admin question' })
  const ownCase = await openCase(own, { subject: 'Own question' })

  const ownList = (await own.get('/portal/cases')).body
  t.match(ownList, 'Own question')
  t.notMatch(ownList, 'Admin question', 'an "own records" user sees only their own cases')
  t.equal((await own.get(`/portal/cases/${adminCase}`)).statusCode, 404, 'a colleague’s case is absent')
  t.equal((await own.post(`/portal/cases/${adminCase}/replies`, { body: 'x' })).statusCode, 404)
  t.notMatch((await own.get('/portal/cases')).body, 'name="scope"', 'and no choice of scope')
  for (const agent of [lead, acme.agent]) {
    const list = (await agent.get('/portal/cases')).body
    t.match(list, 'Own question')
    t.match(list, 'Admin question')
    t.equal((await agent.get(`/portal/cases/${ownCase}`)).statusCode, 200)
  }
  const mine = (await lead.get('/portal/cases?scope=mine')).body
  t.notMatch(mine, 'Own question', '"Mine" narrows the company’s cases to one’s own')
  t.match(mine, /No cases match/)

  await createEmployee(app, acme.partner.id, 'reader@acme.example', { ...adminPermissions, cases: { scope: 'company', create: false, edit: false, delete: false } })
  const reader = new Agent(app)
  await reader.signIn('reader@acme.example', partnerPassword)
  t.equal((await reader.get('/portal/cases/new')).statusCode, 403, 'no create action, no form')
  t.equal((await reader.post(`/portal/cases/${ownCase}/replies`, { body: 'x' })).statusCode, 403, 'no edit action, no reply')
  t.notMatch((await reader.get(`/portal/cases/${ownCase}`)).body, 'Send reply')
})
