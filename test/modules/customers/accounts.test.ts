import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { accountForm, createCustomer } from '../../fixtures/customers.ts'

t.test('a partner lists, searches, creates, edits and removes customer accounts', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const empty = await agent.get('/portal/customers')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /No customers yet/)
  t.match(empty.body, /href="\/portal\/customers"[^>]*>Customers</, 'the menu offers customers')

  const created = await agent.post('/portal/customers', accountForm())
  t.equal(created.statusCode, 303)
  const id = created.headers.location!.split('/').pop()!
  const page = await agent.get(`/portal/customers/${id}`)
  t.match(page.body, /Globex Corporation/)
  t.match(page.body, /Energy · globex\.example/, 'the domain comes from the website')

  await createCustomer(app, acme.admin.id, 'Initech', { domain: 'initech.example', city: 'Austin' })
  await createCustomer(app, acme.admin.id, 'Umbrella', { city: 'Raccoon City' })
  const search = async (q: string) => (await agent.get(`/portal/customers?q=${encodeURIComponent(q)}`)).body
  t.match(await search('initech.ex'), /Initech/, 'search by domain')
  t.notMatch(await search('initech.ex'), /Umbrella/)
  t.match(await search('raccoon'), /Umbrella/, 'search by city')
  t.match(await search('GLOBEX'), /Globex Corporation/, 'search by name, any case')
  t.match(await search('nothing-like-this'), /No customer matches/)

  const fragment = await agent.get('/portal/customers?q=initech', { 'hx-request': 'true' })
  t.notMatch(fragment.body, /<html/, 'htmx gets the results fragment')
  t.match(fragment.body, /Initech/)
  t.match(fragment.headers.vary, /HX-Request/, 'a fragment and its page are cached apart')

  const newest = await agent.get('/portal/customers?sort=newest')
  t.ok(newest.body.indexOf('Umbrella') < newest.body.indexOf('Globex'), 'newest first')

  t.equal((await agent.post(`/portal/customers/${id}`, accountForm({ name: 'Globex Renamed', country: 'GB' }))).statusCode, 303)
  t.match((await agent.get(`/portal/customers/${id}`)).body, /Globex Renamed/)
  const { db } = app.diContainer.cradle
  const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'customer.updated').executeTakeFirstOrThrow()
  t.match(audit.before, { name: 'Globex Corporation', country: 'US' })
  t.match(audit.after, { name: 'Globex Renamed', country: 'GB' })

  const removed = await agent.post(`/portal/customers/${id}/remove`)
  t.equal(removed.statusCode, 303)
  t.equal((await agent.get(`/portal/customers/${id}`)).statusCode, 404)
  t.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'customer.removed').where('entity_id', '=', id).executeTakeFirst(), 'removal audited')
})

t.test('keyset pages walk every account once, by name and by newest', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  for (let i = 0; i < 30; i++) await createCustomer(app, acme.admin.id, `Customer ${String(i).padStart(2, '0')}`)
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  for (const sort of ['name', 'newest']) {
    const seen: string[] = []
    let url: string | undefined = `/portal/customers?sort=${sort}`
    while (url) {
      const body: string = (await agent.get(url)).body
      seen.push(...[...body.matchAll(/>(Customer \d\d)</g)].map((m) => m[1]!))
      const next: string | undefined = /href="([^"]+)">Next page/.exec(body)?.[1]
      url = next?.replace(/&amp;/g, '&')
    }
    t.equal(seen.length, 30, `${sort}: every account`)
    t.equal(new Set(seen).size, 30, `${sort}: none twice`)
  }
  t.equal((await agent.get('/portal/customers?after=garbage')).statusCode, 200, 'a tampered cursor is ignored')
})

t.test('bad input on the account form saves nothing and says why', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const { accountId } = await createCustomer(app, acme.admin.id, 'Original')
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ name: '' }, /Name is required/],
    [{ name: 'x'.repeat(161) }, /Name must be at most 160 characters/],
    [{ name: '<script>alert(1)</script>' }, /Name must not contain &lt; or &gt;/],
    [{ website: 'javascript:alert(1)' }, /Website must be a web address/],
    [{ domain: 'http://x.example/path' }, /Domain must be a name like example.com/],
    [{ country: 'XX' }, /Country must be one of the listed countries/],
    [{ owner_id: 'not-a-uuid' }, /Choose an owner from your team/],
    [{ owner_id: '00000000-0000-4000-8000-000000000000' }, /Choose an owner from your team/]
  ]
  const { db } = app.diContainer.cradle
  const count = async () => (await db.selectFrom('customer_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
  for (const [change, message] of cases) {
    const create = await agent.post('/portal/customers', accountForm(change))
    t.equal(create.statusCode, 422, `create: ${JSON.stringify(change).slice(0, 60)}`)
    t.match(create.body, message)
    const edit = await agent.post(`/portal/customers/${accountId}`, accountForm(change))
    t.equal(edit.statusCode, 422)
    t.match(edit.body, message)
  }
  t.equal(Number(await count()), 1, 'nothing was created')
  t.match((await agent.get(`/portal/customers/${accountId}`)).body, /Original/, 'nothing was changed')
})

t.test('removal is refused with the reasons other modules give', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Busy Customer')
  const { events } = app.diContainer.cradle
  events.on('customer.removed', async (event) => (event.payload.accountId === accountId ? '3 open opportunities' : null))
  events.on('customer.removed', async () => '1 open case')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const res = await agent.post(`/portal/customers/${accountId}/remove`)
  t.equal(res.statusCode, 409)
  t.match(res.body, /Busy Customer cannot be removed: it still has 3 open opportunities and 1 open case/)
  t.equal((await agent.get(`/portal/customers/${accountId}`)).statusCode, 200, 'still there')
})
