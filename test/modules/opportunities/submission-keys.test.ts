import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createStaffDeal, partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { postTwice, submissionKey } from '../../fixtures/submissions.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const { accountId, agent } = await partnerWithCustomer(app)
await createUser(app, { email: 'sam@staff.example', name: 'Sam Staff' })
const staff = new Agent(app)
await staff.signIn('sam@staff.example', 'correct-horse-battery')

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)
const deals = async (name: string) => (await db.selectFrom('opportunities').select('id').where('name', '=', name).execute()).length
const notes = async (body: string) => (await db.selectFrom('opportunity_events').select('id').where('kind', '=', 'note').where('body', '=', body).execute()).length

t.test('a deal registration sent twice registers one deal and shows it to the repeat', async (t) => {
  const key = submissionKey((await agent.get('/portal/opportunities/new')).body)
  t.ok(key, 'the registration form carries a key')
  const first = await postTwice(t, agent, '/portal/opportunities', registrationForm(accountId, { name: 'Once deal' }), key)
  t.match(first.headers.location, /^\/portal\/opportunities\/[0-9a-f-]{36}$/)
  t.equal(await deals('Once deal'), 1)
})

t.test('a refused registration keeps its key, so the corrected one registers once', async (t) => {
  const key = submissionKey((await agent.get('/portal/opportunities/new')).body)!
  const refused = await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Corrected deal', estimated_revenue: 'lots', _submission: key }))
  t.equal(refused.statusCode, 422)
  t.equal(submissionKey(refused.body), key)
  await postTwice(t, agent, '/portal/opportunities', registrationForm(accountId, { name: 'Corrected deal' }), key)
  t.equal(await deals('Corrected deal'), 1)
})

t.test('a partner’s note sent twice is added once; a refused one keeps its key', async (t) => {
  const registered = await agent.post('/portal/opportunities', registrationForm(accountId, { name: 'Noted deal' }))
  const page = String(registered.headers.location)
  const key = submissionKey((await agent.get(page)).body)!
  t.ok(key, 'the note form carries a key')
  const refused = await agent.post(`${page}/notes`, { body: '', _submission: key })
  t.equal(refused.statusCode, 422)
  t.equal(submissionKey(refused.body), key)
  const first = await postTwice(t, agent, `${page}/notes`, { body: 'Called them once.' }, key)
  t.equal(first.headers.location, page)
  t.equal(await notes('Called them once.'), 1)
})

t.test('an opportunity staff create sent twice is created once', async (t) => {
  t.ok(submissionKey((await staff.get('/admin/opportunities/new')).body), 'the form carries a key')
  const form = {
    name: 'Staff once', customer_name: 'Lakeshore Retail', customer_website: '', territory: 'US', expertise: ['Consulting'],
    estimated_revenue: '80000', currency: 'USD', expected_close: inDays(45), description: '', distribution: 'manual'
  }
  const first = await postTwice(t, staff, '/admin/opportunities', form)
  t.match(first.headers.location, /^\/admin\/opportunities\/[0-9a-f-]{36}$/)
  t.equal(await deals('Staff once'), 1)
})

t.test('a staff note sent twice is added once', async (t) => {
  const { deal } = await createStaffDeal(app)
  t.ok(submissionKey((await staff.get(`/admin/opportunities/${deal.id}`)).body), 'the note form carries a key')
  await postTwice(t, staff, `/admin/opportunities/${deal.id}/notes`, { body: 'Internal, once.' })
  t.equal(await notes('Internal, once.'), 1)
})
