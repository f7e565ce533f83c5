import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../../fixtures/partners.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { registrationForm } from '../../fixtures/opportunities.ts'
import { adminPermissions } from '../../fixtures/permissions.ts'

const htmx = { 'hx-request': 'true' }
const radios = (body: string) => [...body.matchAll(/name="account_id" value="([^"]+)"/g)].map((m) => m[1])
const checked = (body: string) => /name="account_id" value="([^"]+)" required checked/.exec(body)?.[1]
const status = (body: string) => /(?:id="customer-status"[^>]*|<hx-partial[^>]*)>([^<]*)</.exec(body)?.[1]

t.test('the options route lists the first matches by name or domain, says when there are more, and offers to add one when none match', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const globex = await createCustomer(app, acme.admin.id, 'Globex', { domain: 'globex.example', city: 'Cypress Creek' })
  const initech = await createCustomer(app, acme.admin.id, 'Initech', { domain: 'initech.example' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const byName = await agent.get('/portal/opportunities/customer-options?q=glob', htmx)
  t.equal(byName.statusCode, 200)
  t.same(radios(byName.body), [globex.accountId])
  t.match(byName.body, /Globex <span class="muted small">globex\.example · Cypress Creek<\/span>/, 'domain and city tell like-named customers apart')
  t.equal(status(byName.body), '1 customer matching “glob”.', 'the count goes to the live region')
  t.match(byName.body, /<hx-partial hx-target="#customer-status"/)
  t.same(radios((await agent.get('/portal/opportunities/customer-options?q=initech.example', htmx)).body), [initech.accountId], 'by domain')

  const none = await agent.get('/portal/opportunities/customer-options?q=hooli', htmx)
  t.same(radios(none.body), [])
  t.equal(status(none.body), 'No customer matches “hooli”.')
  t.match(none.body, /<a href="\/portal\/customers\/new">Add a customer<\/a>/)
  t.equal(status((await agent.get('/portal/opportunities/customer-options?q=%3Cb%3E', htmx)).body), 'No customer matches “&lt;b&gt;”.', 'the search text is escaped')

  const chosen = await agent.get(`/portal/opportunities/customer-options?q=initech&account_id=${globex.accountId}`, htmx)
  t.same(radios(chosen.body), [globex.accountId, initech.accountId], 'the chosen customer stays in the list while searching')
  t.equal(checked(chosen.body), globex.accountId)
  t.equal(status(chosen.body), '1 customer matching “initech”.', 'it is not counted as a match')

  for (let i = 1; i <= 21; i++) await createCustomer(app, acme.admin.id, `Customer ${String(i).padStart(2, '0')}`)
  const many = await agent.get('/portal/opportunities/customer-options?q=customer', htmx)
  t.equal(radios(many.body).length, 20)
  t.equal(status(many.body), 'Showing the first 20 — type more to narrow.')
  t.equal(status((await agent.get('/portal/opportunities/customer-options?q=customer%2021', htmx)).body), '1 customer matching “customer 21”.')
})

t.test('the options route needs the right to register deals', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  await createEmployee(app, acme.partner.id, 'reader@acme.example', { ...adminPermissions, opportunities: { scope: 'company', create: false, edit: false, delete: false } })
  const reader = new Agent(app)
  await reader.signIn('reader@acme.example', partnerPassword)
  t.equal((await reader.get('/portal/opportunities/customer-options?q=a', htmx)).statusCode, 403)
})

t.test('without JavaScript: ?q= searches on the server, ?account= chooses a customer and lists its contacts', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  for (let i = 1; i <= 21; i++) await createCustomer(app, acme.admin.id, `Customer ${String(i).padStart(2, '0')}`)
  const zeta = await createCustomer(app, acme.admin.id, 'Zeta Systems', { domain: 'zeta.example', contact: 'Zoe' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const first = await agent.get('/portal/opportunities/new')
  t.equal(radios(first.body).length, 20)
  t.match(first.body, /Showing the first 20 — type more to narrow\./)
  t.match(first.body, /<form method="post" action="\/portal\/opportunities" class="form" novalidate>\s*<div class="picker-search" role="search"/, 'the search is part of the deal form')
  t.match(first.body, /<button type="submit" formmethod="get" formaction="\/portal\/opportunities\/new" formnovalidate/, 'its button sends the form to the page as a GET')
  t.match(first.body, /<button type="submit" name="_csrf" value="[^"]+" class="button">Register the deal<\/button>/, 'the token rides on the form’s own button')

  const searched = await agent.get('/portal/opportunities/new?q=zeta')
  t.same(radios(searched.body), [zeta.accountId])
  t.match(searched.body, /type="search" name="q" value="zeta"/, 'the search text stays in the box')
  t.equal(checked(searched.body), undefined, 'nothing is chosen for the user')

  const linked = await agent.get(`/portal/opportunities/new?account=${zeta.accountId}`)
  t.equal(linked.statusCode, 200)
  t.equal(radios(linked.body)[0], zeta.accountId, 'the chosen customer is listed though it is not among the first 20')
  t.equal(checked(linked.body), zeta.accountId)
  t.match(linked.body, new RegExp(`<option value="${zeta.contactId}">Zoe of Zeta Systems</option>`), 'its contacts are offered')
  const searchedOn = await agent.get(`/portal/opportunities/new?account_id=${zeta.accountId}&q=customer`)
  t.equal(checked(searchedOn.body), zeta.accountId, 'so a search without JavaScript keeps the chosen customer')
  t.equal(radios(searchedOn.body).length, 21, 'listed first, with the first 20 matches')

  t.equal(checked((await agent.get('/portal/opportunities/new?account=nope')).body), undefined, 'a malformed id chooses nothing')
})

t.test('without JavaScript, a search sends the whole deal form: what was typed comes back, unchecked, with the matches', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme', { expertise: ['Consulting', 'Training'] })
  for (let i = 1; i <= 21; i++) await createCustomer(app, acme.admin.id, `Customer ${String(i).padStart(2, '0')}`)
  const zeta = await createCustomer(app, acme.admin.id, 'Zeta Systems', { domain: 'zeta.example', contact: 'Zoe' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const typed = new URLSearchParams({
    q: 'zeta', account_id: '', contact_id: '', name: 'Forty tills', estimated_revenue: 'lots', currency: 'EUR', expected_close: '',
    description: 'Two sites.', _csrf: 'token-sent-along'
  })
  typed.append('expertise', 'Consulting')
  typed.append('expertise', 'Training')

  const searched = await agent.get(`/portal/opportunities/new?${typed}`)
  t.equal(searched.statusCode, 200)
  t.same(radios(searched.body), [zeta.accountId], 'the matching customers are listed')
  t.equal(checked(searched.body), undefined)
  t.match(searched.body, /name="name" type="text" value="Forty tills"/)
  t.match(searched.body, /name="estimated_revenue" type="text" value="lots"/)
  t.match(searched.body, /<option value="EUR" selected>EUR<\/option>/)
  t.match(searched.body, />Two sites\.<\/textarea>/)
  t.match(searched.body, /value="Consulting" checked/)
  t.match(searched.body, /value="Training" checked/)
  t.notMatch(searched.body, /class="error"|role="alert"/, 'a search checks nothing, so it shows no errors')
  t.notMatch(searched.body, /token-sent-along/, 'a token sent along is ignored')

  typed.set('account_id', zeta.accountId)
  typed.set('contact_id', zeta.contactId!)
  typed.set('q', 'customer 01')
  const chosen = await agent.get(`/portal/opportunities/new?${typed}`)
  t.equal(checked(chosen.body), zeta.accountId, 'the customer chosen before the search stays chosen')
  t.match(chosen.body, new RegExp(`<option value="${zeta.contactId}" selected>Zoe of Zeta Systems</option>`), 'and its contact')
})

t.test('a failed registration comes back with the customer, its contact and every value kept', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  for (let i = 1; i <= 21; i++) await createCustomer(app, acme.admin.id, `Customer ${String(i).padStart(2, '0')}`)
  const zeta = await createCustomer(app, acme.admin.id, 'Zeta Systems', { contact: 'Zoe' })
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  await agent.get('/portal/opportunities/new')

  const res = await agent.post('/portal/opportunities', registrationForm(zeta.accountId, {
    contact_id: zeta.contactId!, name: '', estimated_revenue: '31000', currency: 'EUR', description: 'Two sites.'
  }))
  t.equal(res.statusCode, 422)
  t.match(res.body, /Opportunity name is required/)
  t.equal(checked(res.body), zeta.accountId)
  t.match(res.body, new RegExp(`<option value="${zeta.contactId}" selected>Zoe of Zeta Systems</option>`))
  t.match(res.body, /name="estimated_revenue" type="text" value="31000"/)
  t.match(res.body, /<option value="EUR" selected>EUR<\/option>/)
  t.match(res.body, />Two sites\.<\/textarea>/)
  t.match(res.body, /value="Consulting" checked/)

  const missing = await agent.post('/portal/opportunities', registrationForm(''))
  t.equal(missing.statusCode, 422)
  t.match(missing.body, /class="picker has-error"/)
  t.match(missing.body, /Choose one of your customers\./)
  t.equal(checked(missing.body), undefined)
})

t.test('a partner without customers is asked to add one first', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const other = await createActivePartner(app, 'other')
  await createCustomer(app, other.admin.id, 'Hooli')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  for (const url of ['/portal/opportunities/new', '/portal/opportunities/new?q=hooli']) {
    const page = await agent.get(url)
    t.match(page.body, /Add a customer first/, url)
    t.notMatch(page.body, /name="account_id"/)
  }
})
