import t from 'tap'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { createCustomer } from '../../fixtures/customers.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'

const { app } = await buildTestApp(t)
const { partners } = app.diContainer.cradle
const all: Array<Awaited<ReturnType<typeof createActivePartner>>> = []
for (let i = 1; i <= 22; i++) all.push(await createActivePartner(app, `p${String(i).padStart(2, '0')}`))
const [first, second, third] = [all[0]!, all[1]!, all[2]!]
const sleeper = await createActivePartner(app, 'sleeper')
await partners.setSuspended(systemActor, sleeper.partner.id, true, 'Paused')
await createUser(app, { email: 'ops@example.com', role: 'admin' })
const staff = new Agent(app)
await staff.signIn('ops@example.com', 'correct-horse-battery')
/** The partner choices of a page's share or reassign form (the opportunity page's offer form has partner radios too). */
const shareForm = (html: string) => html.slice(html.indexOf('id="share"'), html.indexOf('</form>', html.indexOf('id="share"')))
const radios = (html: string) => [...html.matchAll(/name="partner_id" value="([^"]+)"/g)].map((m) => m[1])

t.test('the options list the first twenty active partners, narrow as one types, and leave out the ones excepted', async (t) => {
  const options = await staff.get(`/admin/partners/options?except=${first.partner.id}`)
  t.equal(options.statusCode, 200)
  t.equal(radios(options.body).length, 20, 'twenty at once')
  t.match(options.body, /Showing the first 20 — type more to narrow/)
  t.notOk(radios(options.body).includes(first.partner.id), 'the excepted partner is not offered')
  t.notOk(radios(options.body).includes(sleeper.partner.id), 'nor a suspended one')

  const narrowed = await staff.get(`/admin/partners/options?q=p02&partner_id=${third.partner.id}`)
  t.same(radios(narrowed.body), [third.partner.id, second.partner.id], 'a search finds p02; the chosen partner stays on top')
  t.match(narrowed.body, /1 partner matching “p02”/)
  t.equal(radios((await staff.get('/admin/partners/options?q=nobody-has-this')).body).length, 0)
  t.match((await staff.get('/admin/partners/options?q=nobody-has-this')).body, /No partner matches “nobody-has-this”/)

  const partnerAgent = new Agent(app)
  await partnerAgent.signIn(first.email, first.password)
  t.equal((await partnerAgent.get('/admin/partners/options')).statusCode, 403, 'partners never reach it')
})

t.test('reassigning a customer picks the new partner with the picker, without listing every partner', async (t) => {
  const { accountId } = await createCustomer(app, first.admin.id, 'Globex', { domain: 'globex.example' })
  const page = await staff.get(`/admin/customers/${accountId}`)
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, /<select[^>]*name="partner_id"/, 'no select of every partner')
  t.equal(radios(page.body).length, 0, 'no partner is listed before a name is typed')
  t.match(page.body, /Type part of a name to find an active partner/)
  const broad = radios((await staff.get(`/admin/customers/${accountId}?q=Ltd`)).body)
  t.equal(broad.length, 20, 'a search matching every partner lists the first twenty')
  t.notOk(broad.includes(first.partner.id), 'the current partner is not offered')

  const searched = await staff.get(`/admin/customers/${accountId}?q=p22`)
  t.same(radios(searched.body), [all[21]!.partner.id], 'the search without JavaScript narrows the choices on the page')

  const refused = await staff.post(`/admin/customers/${accountId}/reassign`, { partner_id: '' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /f-partner_id-error/)
  t.equal((await staff.post(`/admin/customers/${accountId}/reassign`, { partner_id: second.partner.id })).statusCode, 303)
  t.match((await staff.get(`/admin/customers/${accountId}`)).body, /p02 Ltd/)
})

t.test('the staff customer list filters by one partner with a chip instead of a select of every partner', async (t) => {
  const list = await staff.get('/admin/customers')
  t.notMatch(list.body, /<select[^>]*name="partner"/)
  const filtered = await staff.get(`/admin/customers?partner=${second.partner.id}`)
  t.match(filtered.body, /<p class="chip">p02 Ltd/)
  t.match(filtered.body, /Globex/, 'Globex, reassigned to p02 above')
  t.notMatch((await staff.get(`/admin/customers?partner=${third.partner.id}`)).body, /Globex/)
})

t.test('sharing a deal offers the active partners not on it yet', async (t) => {
  const { deal } = await createStaffDeal(app)
  await staff.post(`/admin/opportunities/${deal.id}/collaborators`, { partner_id: first.partner.id })
  const page = await staff.get(`/admin/opportunities/${deal.id}`)
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, /<select[^>]*name="partner_id"/)
  t.equal(radios(shareForm(page.body)).length, 0, 'no partner is listed before a name is typed')
  const broad = radios(shareForm((await staff.get(`/admin/opportunities/${deal.id}?q=Ltd`)).body))
  t.equal(broad.length, 20, 'a search matching every partner lists the first twenty')
  t.notOk(broad.includes(first.partner.id), 'a collaborator already is not offered again')
  t.match(page.body, new RegExp(`/admin/partners/options\\?except=${first.partner.id}`), 'nor by the htmx search')
  const searched = await staff.get(`/admin/opportunities/${deal.id}?q=p03`)
  t.same(radios(shareForm(searched.body)), [third.partner.id])
})
