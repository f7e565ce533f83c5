import t, { type Test } from 'tap'
import { Agent, buildTestApp } from '../helper.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { createCustomer, viewerFor } from '../fixtures/customers.ts'
import { fill, fingerprint, idsOwnedBy } from './isolation.ts'

const header = 'account_name,domain,contact_first_name,contact_last_name'

/** Two partners with customers, contacts and an import each; the attacker is partner B's admin. */
async function twoPartners(t: Test) {
  const { app } = await buildTestApp(t)
  const victim = await createActivePartner(app, 'victim')
  const attacker = await createActivePartner(app, 'attacker')
  const secret = await createCustomer(app, victim.admin.id, 'Sekret Holdings', { domain: 'sekret.example', contact: 'Victoria' })
  await createCustomer(app, victim.admin.id, 'Loose Ends Ltd')
  await createCustomer(app, attacker.admin.id, 'Attacker Customer', { contact: 'Arthur' })
  const victimAgent = new Agent(app)
  await victimAgent.signIn(victim.email, victim.password)
  await victimAgent.post('/portal/customers/import', { csv: `${header}\nSekret Import,import.example,Ivy,Importer` })
  const agent = new Agent(app)
  await agent.signIn(attacker.email, attacker.password)
  return { app, victim, attacker, secret, agent }
}

t.test('every customer route answers 404 to another partner’s ids and changes nothing', async (t) => {
  const { app, victim, agent } = await twoPartners(t)
  const victimIds = await idsOwnedBy(app, victim.partner.id)
  const { db } = app.diContainer.cradle
  const customerIds = [
    ...(await db.selectFrom('customer_accounts').select('id').where('partner_id', '=', victim.partner.id).execute()),
    ...(await db.selectFrom('customer_contacts').select('id').where('partner_id', '=', victim.partner.id).execute()),
    ...(await db.selectFrom('customer_imports').select('id').where('partner_id', '=', victim.partner.id).execute())
  ].map((r) => r.id)
  t.equal(customerIds.length, 4, 'two accounts, a contact and an import to aim at')
  t.ok(customerIds.every((id) => victimIds.includes(id)), 'the shared helper finds them too')

  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/portal/customers') && r.url.includes(':'))
  t.ok(routes.length >= 14, `customer routes with ids: ${routes.length}`)
  const before = await fingerprint(app)
  const forms: Array<Record<string, string>> = [{}, { account_id: customerIds[0]!, contact_id: customerIds[2]!, name: 'Hijacked', first_name: 'H', last_name: 'J', country: 'US', domain: '', website: '', only_valid: 'on' }]
  for (const route of routes) {
    for (const id of victimIds) {
      const url = fill(route.url, id)
      if (route.method === 'GET') {
        t.equal((await agent.get(url)).statusCode, 404, `GET ${url}`)
        t.equal((await agent.get(url, { 'hx-request': 'true' })).statusCode, 404, `GET ${url} (fragment)`)
      } else {
        for (const form of forms) t.equal((await agent.post(url, form)).statusCode, 404, `${route.method} ${url}`)
      }
    }
  }
  // Another partner's ids in the form of a route about the attacker's own records: 404 as well, nothing saved.
  const attackerAccount = (await db.selectFrom('customer_accounts').select('id').where('name', '=', 'Attacker Customer').executeTakeFirstOrThrow()).id
  const attackerContact = (await db.selectFrom('customer_contacts').select('id').where('first_name', '=', 'Arthur').executeTakeFirstOrThrow()).id
  for (const [url, form] of [
    ['/portal/customers/contacts', { first_name: 'X', last_name: 'Y', account_id: customerIds[0]! }],
    [`/portal/customers/contacts/${attackerContact}`, { first_name: 'X', last_name: 'Y', account_id: customerIds[0]! }],
    [`/portal/customers/contacts/${attackerContact}/move`, { account_id: customerIds[0]! }],
    [`/portal/customers/${attackerAccount}/contacts`, { contact_id: customerIds[2]! }],
    [`/portal/customers/${attackerAccount}/primary-contact`, { primary_contact_id: customerIds[2]! }]
  ] as const) {
    t.equal((await agent.post(url, form)).statusCode, 404, `POST ${url} with a victim’s id in the form`)
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})

t.test('no customer list, search, fragment or export of partner B holds partner A’s names', async (t) => {
  const { app, attacker, agent } = await twoPartners(t)
  const pages = app.routeCatalog.filter((r) => r.method === 'GET' && r.url.startsWith('/portal/customers') && !r.url.includes(':'))
  t.ok(pages.length >= 6)
  const secrets = ['Sekret', 'sekret.example', 'Loose Ends', 'Victoria', 'victim Ltd']
  for (const page of pages) {
    for (const query of ['', '?q=sekret', '?q=e', '?q=victoria', '?sort=newest', '?owner=mine&country=US']) {
      for (const headers of [{}, { 'hx-request': 'true' }] as Array<Record<string, string>>) {
        const res = await agent.get(page.url + query, headers)
        t.ok(res.statusCode < 500, `${page.url}${query} answers`)
        for (const secret of secrets) t.notOk(res.body.includes(secret), `${page.url}${query} does not show ${secret}`)
      }
    }
  }
  const { customers } = app.diContainer.cradle
  const viewer = await viewerFor(app, attacker.admin.id)
  t.same((await customers.searchAccounts(viewer, 'sekret', 50)), [], 'the picker search finds nothing of A’s')
  t.match((await agent.get('/portal/customers/export.csv')).body, /Attacker Customer/, 'B’s own export works')
})
