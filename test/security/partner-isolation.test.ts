import t from 'tap'
import { Agent, buildTestApp } from '../helper.ts'
import { createActivePartner, createEmployee } from '../fixtures/partners.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

/**
 * One partner can reach nothing of another's. The routes come from the app itself, so a partner
 * route added later is tried here without anyone remembering to add it.
 */
t.test('every partner route answers 404 for another partner’s records and changes nothing', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await createActivePartner(app, 'victim')
  await createEmployee(app, victim.partner.id, 'worker@victim.example')
  const attacker = await createActivePartner(app, 'attacker')
  const victimIds = await idsOwnedBy(app, victim.partner.id)
  t.ok(victimIds.length >= 3, 'the victim owns records to aim at')

  const agent = new Agent(app)
  await agent.signIn(attacker.email, attacker.password)
  const partnerRoutes = app.routeCatalog.filter((r) => r.url.startsWith('/portal') && r.url.includes(':'))
  t.ok(partnerRoutes.length > 0, 'there are partner routes with ids')

  const before = await fingerprint(app)
  for (const route of partnerRoutes) {
    for (const id of victimIds) {
      const url = fill(route.url, id)
      const res = route.method === 'GET' ? await agent.get(url) : await agent.post(url, {})
      t.equal(res.statusCode, 404, `${route.method} ${url} as another partner`)
    }
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})

t.test('no partner page lists or mentions another partner’s records', async (t) => {
  const { app } = await buildTestApp(t)
  const victim = await createActivePartner(app, 'victim')
  await createEmployee(app, victim.partner.id, 'worker@victim.example')
  const attacker = await createActivePartner(app, 'attacker')
  const victimIds = await idsOwnedBy(app, victim.partner.id)
  const agent = new Agent(app)
  await agent.signIn(attacker.email, attacker.password)

  const pages = app.routeCatalog.filter((r) => r.method === 'GET' && r.url.startsWith('/portal') && !r.url.includes(':'))
  t.ok(pages.length > 0)
  for (const page of pages) {
    const res = await agent.get(page.url)
    t.ok(res.statusCode < 500, `${page.url} answers`)
    for (const secret of [...victimIds, 'victim Ltd', 'worker@victim.example', victim.email]) {
      t.notOk(res.body.includes(secret), `${page.url} does not show ${secret}`)
    }
  }
})

t.test('partner users reach no staff route', async (t) => {
  const { app } = await buildTestApp(t)
  const partner = await createActivePartner(app, 'someone')
  const agent = new Agent(app)
  await agent.signIn(partner.email, partner.password)
  const staffRoutes = app.routeCatalog.filter((r) => r.url.startsWith('/admin'))
  t.ok(staffRoutes.length > 5)
  const before = await fingerprint(app)
  for (const route of staffRoutes) {
    const url = fill(route.url, partner.partner.id)
    const res = route.method === 'GET' ? await agent.get(url) : await agent.post(url, {})
    t.ok(res.statusCode === 403 || res.statusCode === 404, `${route.method} ${url}: ${res.statusCode}`)
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})
