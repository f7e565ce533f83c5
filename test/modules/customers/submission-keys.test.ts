import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { accountForm, contactForm, createCustomer } from '../../fixtures/customers.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { postTwice, submissionKey } from '../../fixtures/submissions.ts'
import { header, upload } from './csv-upload.ts'

const { app } = await buildTestApp(t)
const { db } = app.diContainer.cradle
const acme = await createActivePartner(app, 'acme')
const agent = new Agent(app)
await agent.signIn(acme.email, acme.password)

const accounts = async (name: string) => (await db.selectFrom('customer_accounts').select('id').where('name', '=', name).execute()).length

t.test('an account form sent twice with its key creates one account and shows it to the repeat', async (t) => {
  const page = await agent.get('/portal/customers/new')
  const key = submissionKey(page.body)
  t.ok(key, 'the new account form carries a key')
  t.not(submissionKey((await agent.get('/portal/customers/new')).body), key, 'a fresh one each time the form is shown')
  const first = await postTwice(t, agent, '/portal/customers', accountForm({ name: 'Once Corp' }), key)
  t.match(first.headers.location, /^\/portal\/customers\/[0-9a-f-]{36}$/)
  t.equal(await accounts('Once Corp'), 1)
  t.equal(submissionKey((await agent.get(`${first.headers.location}/edit`)).body), undefined, 'an edit form carries none')
})

t.test('a refused account form keeps its key, so the corrected one creates once', async (t) => {
  const key = submissionKey((await agent.get('/portal/customers/new')).body)!
  const refused = await agent.post('/portal/customers', accountForm({ name: '', _submission: key }))
  t.equal(refused.statusCode, 422)
  t.equal(submissionKey(refused.body), key, 'the form comes back with the same key')
  await postTwice(t, agent, '/portal/customers', accountForm({ name: 'Corrected Corp' }), key)
  t.equal(await accounts('Corrected Corp'), 1)
})

t.test('a malformed key is refused with 400 and creates nothing', async (t) => {
  const res = await agent.post('/portal/customers', accountForm({ name: 'Damaged Corp', _submission: 'not-a-key' }))
  t.equal(res.statusCode, 400)
  t.match(res.body, /This form is damaged or out of date\. Reload the page and try again\./)
  t.equal(await accounts('Damaged Corp'), 0)
})

t.test('a form without a key (an older page) is saved as before', async (t) => {
  t.equal((await agent.post('/portal/customers', accountForm({ name: 'Keyless Corp' }))).statusCode, 303)
  t.equal(await accounts('Keyless Corp'), 1)
})

t.test('a contact form sent twice creates one contact and shows the repeat its account', async (t) => {
  const { accountId } = await createCustomer(app, acme.admin.id, 'Contacts Corp')
  t.ok(submissionKey((await agent.get(`/portal/customers/contacts/new?account=${accountId}`)).body), 'the new contact form carries a key')
  const first = await postTwice(t, agent, '/portal/customers/contacts', contactForm({ first_name: 'Twice', account_id: accountId }))
  t.equal(first.headers.location, `/portal/customers/${accountId}`)
  const loose = await postTwice(t, agent, '/portal/customers/contacts', contactForm({ first_name: 'Loose', email: '' }))
  t.match(loose.headers.location, /^\/portal\/customers\/contacts\/[0-9a-f-]{36}$/, 'a contact without an account is shown itself')
  const names = await db.selectFrom('customer_contacts').select('first_name').where('first_name', 'in', ['Twice', 'Loose']).execute()
  t.same(names.map((c) => c.first_name).sort(), ['Loose', 'Twice'])
})

t.test('a CSV upload sent twice with its key makes one import', async (t) => {
  const page = await agent.get('/portal/customers/import')
  const key = submissionKey(page.body)!
  t.ok(key, 'the upload form carries a key')
  const csv = `${header}\nUpload Corp,upload.example,,,,,,US,,,,,,\n`
  const first = await upload(app, agent, csv, 'once.csv', { _submission: key })
  t.equal(first.statusCode, 303)
  const again = await upload(app, agent, csv, 'once.csv', { _submission: key })
  t.equal(again.statusCode, 303)
  t.equal(again.headers.location, first.headers.location)
  const imports = await sql<{ n: number }>`select count(*)::int as n from customer_imports where file_name = 'once.csv'`.execute(db)
  t.equal(imports.rows[0]!.n, 1)

  const refused = await upload(app, agent, '', 'empty.csv', { _submission: key })
  t.equal(refused.statusCode, 303, 'even an empty file under a used key is the repeat, not a new refusal')
  const fresh = crypto.randomUUID()
  const empty = await upload(app, agent, '', 'empty.csv', { _submission: fresh })
  t.equal(empty.statusCode, 422)
  t.equal(submissionKey(empty.body), fresh, 'a refused upload keeps its key')
})
