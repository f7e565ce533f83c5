import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { contactForm, createCustomer } from '../../fixtures/customers.ts'

t.test('contacts: create, search, edit, move, associate, dissociate, set primary, remove', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex')
  const initech = await createCustomer(app, acme.admin.id, 'Initech')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const { db } = app.diContainer.cradle
  const contactRow = (id: string) => db.selectFrom('customer_contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const accountRow = (id: string) => db.selectFrom('customer_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  t.match((await agent.get('/portal/customers/contacts')).body, /No contacts yet/)
  const created = await agent.post('/portal/customers/contacts', contactForm({ account_id: globex.accountId }))
  t.equal(created.statusCode, 303)
  t.equal(created.headers.location, `/portal/customers/${globex.accountId}`)
  const hank = (await db.selectFrom('customer_contacts').select('id').executeTakeFirstOrThrow()).id
  t.match((await agent.get(`/portal/customers/${globex.accountId}`)).body, /Hank Scorpio/)

  const loose = await agent.post('/portal/customers/contacts', contactForm({ first_name: 'Lone', last_name: 'Ranger', email: 'lone@example.com' }))
  const lone = loose.headers.location!.split('/').pop()!
  t.equal((await contactRow(lone)).account_id, null, 'a contact may have no account')

  const list = await agent.get('/portal/customers/contacts?q=scorp')
  t.match(list.body, /Scorpio, Hank/)
  t.notMatch(list.body, /Ranger/)
  t.match((await agent.get('/portal/customers/contacts?q=lone%40example')).body, /Ranger, Lone/, 'search by e-mail')
  t.match((await agent.get('/portal/customers/contacts?q=Hank%20Scorpio')).body, /Scorpio, Hank/, 'search by full name')
  const fragment = await agent.get('/portal/customers/contacts?q=scorp', { 'hx-request': 'true' })
  t.notMatch(fragment.body, /<html/)

  t.equal((await agent.post(`/portal/customers/contacts/${hank}`, contactForm({ job_title: 'Founder', account_id: globex.accountId! }))).statusCode, 303)
  t.equal((await contactRow(hank)).job_title, 'Founder')

  t.equal((await agent.post(`/portal/customers/${globex.accountId}/primary-contact`, { primary_contact_id: hank })).statusCode, 303)
  t.equal((await accountRow(globex.accountId)).primary_contact_id, hank)
  const notHere = await agent.post(`/portal/customers/${globex.accountId}/primary-contact`, { primary_contact_id: lone })
  t.equal(notHere.statusCode, 422, 'the primary contact must belong to the account')
  t.match(notHere.body, /Choose one of this account’s contacts/)

  t.equal((await agent.post(`/portal/customers/contacts/${hank}/move`, { account_id: initech.accountId })).statusCode, 303)
  t.equal((await contactRow(hank)).account_id, initech.accountId, 'moved')
  t.equal((await accountRow(globex.accountId)).primary_contact_id, null, 'no longer Globex’s primary contact')
  const moveAudit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'contact.moved').executeTakeFirstOrThrow()
  t.match(moveAudit.before, { account_id: globex.accountId })
  t.match(moveAudit.after, { account_id: initech.accountId })

  t.equal((await agent.post(`/portal/customers/${globex.accountId}/contacts`, { contact_id: lone })).statusCode, 303)
  t.equal((await contactRow(lone)).account_id, globex.accountId, 'associated with the account')
  t.equal((await agent.post(`/portal/customers/contacts/${lone}/dissociate`)).statusCode, 303)
  t.equal((await contactRow(lone)).account_id, null, 'dissociated')

  t.equal((await agent.post(`/portal/customers/contacts/${lone}/remove`)).statusCode, 303)
  t.equal((await agent.get(`/portal/customers/contacts/${lone}`)).statusCode, 404)
})

t.test('bad input on every contact form saves nothing and says why', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const { accountId, contactId } = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  const foreign = await createCustomer(app, other.admin.id, 'Foreign', { contact: 'Fred' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const { db } = app.diContainer.cradle
  const snapshot = async () => JSON.stringify(await db.selectFrom('customer_contacts').selectAll().orderBy('id').execute())
  const before = await snapshot()
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ first_name: '' }, /First name is required/],
    [{ last_name: 'x'.repeat(81) }, /Last name must be at most 80 characters/],
    [{ first_name: '<script>alert(1)</script>' }, /First name must not contain &lt; or &gt;/],
    [{ email: 'not-an-email' }, /E-mail must be an e-mail address/],
    [{ account_id: 'nope' }, /Choose one of your customer accounts/]
  ]
  for (const [change, message] of cases) {
    for (const url of ['/portal/customers/contacts', `/portal/customers/contacts/${contactId}`]) {
      const res = await agent.post(url, contactForm({ account_id: accountId, ...change }))
      t.equal(res.statusCode, 422, `${url} ${JSON.stringify(change).slice(0, 50)}`)
      t.match(res.body, message)
    }
  }
  for (const [url, form] of [
    [`/portal/customers/contacts/${contactId}/move`, {}],
    [`/portal/customers/${accountId}/contacts`, { contact_id: 'x' }],
    [`/portal/customers/${accountId}/primary-contact`, { primary_contact_id: '' }]
  ] as const) {
    const res = await agent.post(url, form)
    t.equal(res.statusCode, 422, `${url} ${JSON.stringify(form)}`)
    t.match(res.body, /Choose one of/)
  }
  for (const [url, form] of [
    ['/portal/customers/contacts', contactForm({ account_id: foreign.accountId })],
    [`/portal/customers/contacts/${contactId}`, contactForm({ account_id: foreign.accountId })],
    [`/portal/customers/contacts/${contactId}/move`, { account_id: foreign.accountId }],
    [`/portal/customers/${accountId}/contacts`, { contact_id: foreign.contactId! }],
    [`/portal/customers/${accountId}/primary-contact`, { primary_contact_id: foreign.contactId! }]
  ] as const) {
    t.equal((await agent.post(url, form)).statusCode, 404, `another partner’s id in the form of ${url} answers 404`)
  }
  t.equal(await snapshot(), before, 'nothing changed')
})

t.test('an error on the account page shows under the field of the form that was sent, not in the other form', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  const initech = await createCustomer(app, acme.admin.id, 'Initech', { contact: 'Peter' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const formOf = (body: string, path: string) =>
    new RegExp(`<form method="post" action="/portal/customers/${globex.accountId}/${path}"[\\s\\S]*?</form>`).exec(body)?.[0] ?? ''
  const errorIn = (form: string) => /<p class="error" id="f-([a-z_]+)-error">([^<]*)<\/p>/.exec(form)?.slice(1)

  const primary = await agent.post(`/portal/customers/${globex.accountId}/primary-contact`, { primary_contact_id: initech.contactId! })
  t.equal(primary.statusCode, 422)
  t.same(errorIn(formOf(primary.body, 'primary-contact')), ['primary_contact_id', 'Choose one of this account’s contacts.'], 'under the primary contact')
  t.match(formOf(primary.body, 'contacts'), /name="contact_id"/)
  t.equal(errorIn(formOf(primary.body, 'contacts')), undefined, 'nothing under the contact to add')
  t.match(primary.body, /role="alert"><p>Nothing was changed: see the highlighted field below\./, 'the box at the top points to it')
  t.equal(primary.body.split('Choose one of this account’s contacts.').length - 1, 1, 'and the error is said once')

  const added = await agent.post(`/portal/customers/${globex.accountId}/contacts`, {})
  t.equal(added.statusCode, 422)
  t.same(errorIn(formOf(added.body, 'contacts')), ['contact_id', 'Choose one of your contacts.'], 'under the contact to add')
  t.match(formOf(added.body, 'primary-contact'), /Primary contact/)
  t.equal(errorIn(formOf(added.body, 'primary-contact')), undefined, 'nothing under the primary contact')
  t.notMatch(formOf(added.body, 'primary-contact'), /aria-invalid/)
})
