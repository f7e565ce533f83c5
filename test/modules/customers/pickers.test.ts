import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { ChannelPermissions } from '../../../core/identity/access.ts'
import { defaultPermissions } from '../../fixtures/permissions.ts'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { contactForm, createCustomer } from '../../fixtures/customers.ts'

const htmx = { 'hx-request': 'true' }
const radios = (body: string, name: string) => [...body.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => m[1])
const checked = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"[^>]* checked`).exec(body)?.[1]
const status = (body: string, id: string) => new RegExp(`(?:id="${id}-status"[^>]*|<hx-partial hx-target="#${id}-status"[^>]*)>([^<]*)<`).exec(body)?.[1]
const withCustomers = (customers: ChannelPermissions['customers']): ChannelPermissions => ({ ...defaultPermissions, customers })

/** Many accounts or contacts at once, named so that they sort before the ones a test looks for. */
async function manyAccounts(app: FastifyInstance, partnerId: string, ownerId: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const name = `Account ${String(i + 1).padStart(3, '0')}`
    return { name, name_key: name.toLowerCase(), partner_id: partnerId, owner_id: ownerId }
  })
  await app.diContainer.cradle.db.insertInto('customer_accounts').values(rows).execute()
}

async function manyContacts(app: FastifyInstance, partnerId: string, ownerId: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({ first_name: 'Anna', last_name: `Aaron ${String(i + 1).padStart(3, '0')}`, partner_id: partnerId, owner_id: ownerId }))
  await app.diContainer.cradle.db.insertInto('customer_contacts').values(rows).execute()
}

async function signedIn(app: FastifyInstance, email: string, password: string) {
  const agent = new Agent(app)
  await agent.signIn(email, password)
  return agent
}

t.test('the account options match name, domain or city, say when there are more, and keep the chosen account', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { domain: 'globex.example', city: 'Cypress Creek' })
  const initech = await createCustomer(app, acme.admin.id, 'Initech', { domain: 'initech.example', city: 'Austin' })
  const agent = await signedIn(app, acme.email, acme.password)
  const options = (query: string) => agent.get(`/portal/customers/account-options${query}`, htmx)

  const byName = await options('?q=glob')
  t.equal(byName.statusCode, 200)
  t.same(radios(byName.body, 'account_id'), ['', globex.accountId], '“No account” comes first')
  t.match(byName.body, /Globex <span class="muted small">globex\.example · Cypress Creek<\/span>/)
  t.equal(status(byName.body, 'account'), '1 account matching “glob”.')
  t.same(radios((await options('?q=initech.example')).body, 'account_id'), ['', initech.accountId], 'by domain')
  t.same(radios((await options('?q=austin')).body, 'account_id'), ['', initech.accountId], 'by city')

  const none = await options('?q=hooli')
  t.same(radios(none.body, 'account_id'), [''])
  t.equal(status(none.body, 'account'), 'No account matches “hooli”.')

  const chosen = await options(`?q=initech&account_id=${globex.accountId}`)
  t.same(radios(chosen.body, 'account_id'), ['', globex.accountId, initech.accountId], 'the chosen account stays listed')
  t.equal(checked(chosen.body, 'account_id'), globex.accountId)
  t.equal(status(chosen.body, 'account'), '1 account matching “initech”.', 'it is not counted as a match')
  t.equal(checked((await options('?account_id=nope')).body, 'account_id'), '', 'a malformed id chooses “No account”')

  await manyAccounts(app, acme.partner.id, acme.admin.id, 21)
  const many = await options('?q=account')
  t.equal(radios(many.body, 'account_id').length, 21, '20 accounts and “No account”')
  t.equal(status(many.body, 'account'), 'Showing the first 20 — type more to narrow.')
})

t.test('the move options leave out the contact’s account; the contact options leave out the account’s contacts', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  const initech = await createCustomer(app, acme.admin.id, 'Initech', { contact: 'Peter' })
  const loose = await app.diContainer.cradle.db.insertInto('customer_contacts')
    .values({ first_name: 'Lone', last_name: 'Ranger', email: 'lone@example.com', partner_id: acme.partner.id, owner_id: acme.admin.id })
    .returning('id').executeTakeFirstOrThrow()
  const agent = await signedIn(app, acme.email, acme.password)

  const move = await agent.get(`/portal/customers/contacts/${globex.contactId}/account-options`, htmx)
  t.same(radios(move.body, 'account_id'), [initech.accountId], 'no “No account”, and not Globex')
  t.match(move.body, new RegExp(`value="${initech.accountId}" required`))
  t.same(radios((await agent.get(`/portal/customers/contacts/${globex.contactId}`)).body, 'account_id'), [initech.accountId], 'the contact’s page lists the same')
  t.same(radios((await agent.get(`/portal/customers/contacts/${loose.id}`)).body, 'account_id'), [globex.accountId, initech.accountId],
    'a contact without an account may join any')

  const contacts = await agent.get(`/portal/customers/${globex.accountId}/contact-options`, htmx)
  t.same(radios(contacts.body, 'contact_id').sort(), [loose.id, initech.contactId].sort(), 'contacts elsewhere or without an account')
  t.match(contacts.body, /Peter of Initech <span class="muted small">now at Initech<\/span>/)
  t.match(contacts.body, /Lone Ranger <span class="muted small">lone@example\.com<\/span>/)
  t.same(radios((await agent.get(`/portal/customers/${globex.accountId}/contact-options?q=lone%40example`, htmx)).body, 'contact_id'), [loose.id], 'by e-mail')
  t.same(radios((await agent.get(`/portal/customers/${globex.accountId}/contact-options?q=peter%20of`, htmx)).body, 'contact_id'), [initech.contactId], 'by full name')
  const none = await agent.get(`/portal/customers/${globex.accountId}/contact-options?q=zelda`, htmx)
  t.equal(status(none.body, 'contact'), 'No contact matches “zelda”.')
  const kept = await agent.get(`/portal/customers/${globex.accountId}/contact-options?q=lone&contact_id=${initech.contactId}`, htmx)
  t.same(radios(kept.body, 'contact_id'), [initech.contactId, loose.id], 'the chosen contact is kept on top')
  t.equal(checked(kept.body, 'contact_id'), initech.contactId)

  await manyContacts(app, acme.partner.id, acme.admin.id, 21)
  t.equal(status((await agent.get(`/portal/customers/${globex.accountId}/contact-options?q=aaron`, htmx)).body, 'contact'), 'Showing the first 20 — type more to narrow.')
})

t.test('the options reach only the caller’s records: another partner’s, or a colleague’s for “own records”, answer 404', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  const theirs = await createCustomer(app, other.admin.id, 'Hooli', { city: 'Palo Alto', contact: 'Gavin' })
  const own = await createEmployee(app, acme.partner.id, 'own@acme.example', withCustomers({ scope: 'own', create: true, edit: true, delete: false }))
  const mine = await createCustomer(app, own.id, 'Mine Inc', { city: 'Palo Alto', contact: 'Mina' })
  const colleague = await createCustomer(app, acme.admin.id, 'Colleague Co', { city: 'Palo Alto', contact: 'Cole' })
  const agent = await signedIn(app, acme.email, acme.password)
  const ownAgent = await signedIn(app, 'own@acme.example', partnerPassword)

  const company = await agent.get('/portal/customers/account-options?q=palo', htmx)
  t.same(radios(company.body, 'account_id'), ['', colleague.accountId, mine.accountId], 'the whole company’s, not another partner’s')
  t.same(radios((await ownAgent.get('/portal/customers/account-options?q=palo', htmx)).body, 'account_id'), ['', mine.accountId], 'own records only')
  const contacts = await ownAgent.get(`/portal/customers/${mine.accountId}/contact-options?q=o`, htmx)
  t.notMatch(contacts.body, /Cole|Gavin/)

  for (const url of [
    `/portal/customers/account-options?account_id=${theirs.accountId}`,
    `/portal/customers/contacts/${theirs.contactId}/account-options`,
    `/portal/customers/contacts/${mine.contactId}/account-options?account_id=${theirs.accountId}`,
    `/portal/customers/${theirs.accountId}/contact-options`,
    `/portal/customers/${mine.accountId}/contact-options?contact_id=${theirs.contactId}`,
    `/portal/customers/contacts/new?account=${theirs.accountId}`
  ]) {
    t.equal((await agent.get(url, htmx)).statusCode, 404, url)
  }
  for (const url of [
    `/portal/customers/account-options?account_id=${colleague.accountId}`,
    `/portal/customers/contacts/${colleague.contactId}/account-options`,
    `/portal/customers/${mine.accountId}/contact-options?contact_id=${colleague.contactId}`
  ]) {
    t.equal((await ownAgent.get(url, htmx)).statusCode, 404, `own records: ${url}`)
  }
})

t.test('permissions: no customers area answers 404, no edit right keeps the move and add pickers away', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  await createCustomer(app, acme.admin.id, 'Initech', { contact: 'Peter' })
  await createEmployee(app, acme.partner.id, 'nobody@acme.example', withCustomers({ scope: 'none', create: true, edit: true, delete: true }))
  await createEmployee(app, acme.partner.id, 'reader@acme.example', withCustomers({ scope: 'company', create: false, edit: false, delete: false }))
  const nobody = await signedIn(app, 'nobody@acme.example', partnerPassword)
  const reader = await signedIn(app, 'reader@acme.example', partnerPassword)

  t.equal((await nobody.get('/portal/customers/account-options?q=g', htmx)).statusCode, 404)
  t.equal((await reader.get(`/portal/customers/contacts/${globex.contactId}/account-options`, htmx)).statusCode, 403)
  t.equal((await reader.get(`/portal/customers/${globex.accountId}/contact-options`, htmx)).statusCode, 403)
  t.equal((await reader.get('/portal/customers/contacts/new?q=g')).statusCode, 403, 'no create right, no new contact form')
  t.notMatch((await reader.get(`/portal/customers/contacts/${globex.contactId}`)).body, /name="account_id"/, 'no move form')
  t.notMatch((await reader.get(`/portal/customers/${globex.accountId}`)).body, /name="contact_id"/, 'no add form')
})

t.test('without JavaScript, ?q= searches on the page itself; a contact moves to an account beyond the first 100 by name', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  await manyAccounts(app, acme.partner.id, acme.admin.id, 120)
  const zulu = await createCustomer(app, acme.admin.id, 'Zulu Systems', { city: 'Zermatt' })
  const agent = await signedIn(app, acme.email, acme.password)
  const contactUrl = `/portal/customers/contacts/${globex.contactId}`

  const page = await agent.get(contactUrl)
  t.equal(radios(page.body, 'account_id').length, 20)
  t.match(page.body, /Showing the first 20 — type more to narrow\./)
  t.match(page.body, new RegExp(`<button type="submit" formmethod="get" formaction="${contactUrl}"`), 'the search is a real GET of the page')
  t.notMatch(page.body, /Zulu Systems/)

  const searched = await agent.get(`${contactUrl}?q=zermatt`)
  t.same(radios(searched.body, 'account_id'), [zulu.accountId])
  t.match(searched.body, /type="search" name="q" value="zermatt"/, 'the search text stays in the box')

  const moved = await agent.post(`${contactUrl}/move`, { account_id: zulu.accountId })
  t.equal(moved.statusCode, 303)
  const row = await app.diContainer.cradle.db.selectFrom('customer_contacts').select('account_id').where('id', '=', globex.contactId!).executeTakeFirstOrThrow()
  t.equal(row.account_id, zulu.accountId)

  const missing = await agent.post(`${contactUrl}/move`, {})
  t.equal(missing.statusCode, 422)
  t.match(missing.body, /class="picker has-error"/)

  const form = await agent.get('/portal/customers/contacts/new?q=zulu')
  t.same(radios(form.body, 'account_id'), ['', zulu.accountId])
  t.equal(checked(form.body, 'account_id'), '', '“No account” until one is chosen')
  const edit = await agent.get(`${contactUrl}/edit?q=account%20001`)
  t.equal(checked(edit.body, 'account_id'), zulu.accountId, 'the contact’s account stays chosen while searching')
})

t.test('the 201st contact joins an account through the search, without JavaScript', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex')
  await manyContacts(app, acme.partner.id, acme.admin.id, 200)
  const zed = await createCustomer(app, acme.admin.id, 'Initech', { contact: 'Zed' })
  const agent = await signedIn(app, acme.email, acme.password)
  const accountUrl = `/portal/customers/${globex.accountId}`

  const page = await agent.get(accountUrl)
  t.equal(radios(page.body, 'contact_id').length, 20)
  t.match(page.body, /Showing the first 20 — type more to narrow\./)
  const searched = await agent.get(`${accountUrl}?q=zed`)
  t.same(radios(searched.body, 'contact_id'), [zed.contactId])

  t.equal((await agent.post(`${accountUrl}/contacts`, { contact_id: zed.contactId! })).statusCode, 303)
  t.match((await agent.get(accountUrl)).body, /Zed of Initech/)
  t.equal((await agent.post(`${accountUrl}/contacts`, {})).statusCode, 422)
})

t.test('a refused contact form comes back with its account still chosen', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  await manyAccounts(app, acme.partner.id, acme.admin.id, 21)
  const zulu = await createCustomer(app, acme.admin.id, 'Zulu Systems', { contact: 'Zoe' })
  const agent = await signedIn(app, acme.email, acme.password)
  await agent.get('/portal/customers/contacts/new')

  const created = await agent.post('/portal/customers/contacts', contactForm({ first_name: '', account_id: zulu.accountId }))
  t.equal(created.statusCode, 422)
  t.match(created.body, /First name is required/)
  t.equal(radios(created.body, 'account_id')[1], zulu.accountId, 'listed first though beyond the first 20')
  t.equal(checked(created.body, 'account_id'), zulu.accountId)
  t.match(created.body, /name="last_name" type="text" value="Scorpio"/)

  const edited = await agent.post(`/portal/customers/contacts/${zulu.contactId}`, contactForm({ last_name: '', account_id: zulu.accountId }))
  t.equal(edited.statusCode, 422)
  t.equal(checked(edited.body, 'account_id'), zulu.accountId)
})

t.test('without JavaScript, the search sends the whole contact form: what was typed comes back, unchecked, with the matches', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  await manyAccounts(app, acme.partner.id, acme.admin.id, 21)
  const zulu = await createCustomer(app, acme.admin.id, 'Zulu Systems', { city: 'Zermatt', contact: 'Zoe' })
  const agent = await signedIn(app, acme.email, acme.password)
  const formOf = (body: string, action: string) => new RegExp(`<form method="post" action="${action}"[\\s\\S]*?</form>`).exec(body)?.[0] ?? ''
  const query = (values: Record<string, string>) => new URLSearchParams(values).toString()

  const form = formOf((await agent.get('/portal/customers/contacts/new')).body, '/portal/customers/contacts')
  t.match(form, /type="search" name="q"/, 'the search box belongs to the contact form')
  t.match(form, /<button type="submit" formmethod="get" formaction="\/portal\/customers\/contacts\/new" formnovalidate/, 'its button sends the form to the page as a GET')
  t.notMatch(form, /type="hidden" name="_csrf"/, 'the token is no field of the form, so a search never puts it in the address')
  t.match(form, /<button type="submit" name="_csrf" value="[^"]+" class="button">Create contact<\/button>/, 'the form’s own button carries it')

  const typed = { first_name: 'Hank', last_name: '', email: 'not-an-email', phone: '+1 555 0100', job_title: 'CEO', account_id: '' }
  const searched = await agent.get(`/portal/customers/contacts/new?${query({ ...typed, q: 'zermatt', _csrf: 'token-sent-along' })}`)
  t.equal(searched.statusCode, 200)
  t.match(searched.body, /name="first_name" type="text" value="Hank"/)
  t.match(searched.body, /name="last_name" type="text" value=""/)
  t.match(searched.body, /name="email" type="email" value="not-an-email"/)
  t.match(searched.body, /name="phone" type="tel" value="\+1 555 0100"/)
  t.match(searched.body, /name="job_title" type="text" value="CEO"/)
  t.match(searched.body, /type="search" name="q" value="zermatt"/)
  t.same(radios(searched.body, 'account_id'), ['', zulu.accountId], 'the matching accounts are listed')
  t.equal(checked(searched.body, 'account_id'), '')
  t.notMatch(searched.body, /class="error"|role="alert"/, 'a search checks nothing, so it shows no errors')
  t.notMatch(searched.body, /token-sent-along/, 'a token sent along is ignored')

  const chosen = await agent.get(`/portal/customers/contacts/new?${query({ ...typed, account_id: zulu.accountId, q: 'account 001' })}`)
  t.equal(checked(chosen.body, 'account_id'), zulu.accountId, 'the account chosen before the search stays chosen')
  t.equal(radios(chosen.body, 'account_id').length, 3, '“No account”, the chosen one and the match')

  const editUrl = `/portal/customers/contacts/${zulu.contactId}/edit`
  t.match(formOf((await agent.get(editUrl)).body, `/portal/customers/contacts/${zulu.contactId}`), new RegExp(`formaction="${editUrl}"`))
  const edited = await agent.get(`${editUrl}?${query({ ...typed, first_name: 'Zoé', last_name: 'Renamed', q: 'zulu' })}`)
  t.match(edited.body, /name="first_name" type="text" value="Zoé"/, 'what was typed wins over what is stored')
  t.match(edited.body, /name="last_name" type="text" value="Renamed"/)
  t.equal(checked(edited.body, 'account_id'), '', '“No account” stays chosen, as it was before the search')
  const stored = await agent.get(editUrl)
  t.match(stored.body, /name="first_name" type="text" value="Zoe"/, 'without a search, the stored values')
  t.equal(checked(stored.body, 'account_id'), zulu.accountId)
})

t.test('without JavaScript, the move and add searches keep the record chosen before the search', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { contact: 'Hank' })
  const initech = await createCustomer(app, acme.admin.id, 'Initech', { city: 'Austin', contact: 'Peter' })
  const umbrella = await createCustomer(app, acme.admin.id, 'Umbrella', { city: 'Raccoon City', contact: 'Alice' })
  const agent = await signedIn(app, acme.email, acme.password)
  const contactUrl = `/portal/customers/contacts/${globex.contactId}`
  const accountUrl = `/portal/customers/${globex.accountId}`

  t.match((await agent.get(contactUrl)).body, new RegExp(`<form method="post" action="${contactUrl}/move"[^>]*>[\\s\\S]*formaction="${contactUrl}"[\\s\\S]*</form>`))
  const moving = await agent.get(`${contactUrl}?q=austin&account_id=${umbrella.accountId}`)
  t.same(radios(moving.body, 'account_id'), [umbrella.accountId, initech.accountId])
  t.equal(checked(moving.body, 'account_id'), umbrella.accountId)

  t.match((await agent.get(accountUrl)).body, new RegExp(`<form method="post" action="${accountUrl}/contacts"[^>]*>[\\s\\S]*formaction="${accountUrl}"[\\s\\S]*</form>`))
  const adding = await agent.get(`${accountUrl}?q=peter&contact_id=${umbrella.contactId}`)
  t.same(radios(adding.body, 'contact_id'), [umbrella.contactId, initech.contactId])
  t.equal(checked(adding.body, 'contact_id'), umbrella.contactId)
})
