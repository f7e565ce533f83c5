import t from 'tap'
import { parse } from 'csv-parse/sync'
import { accountForm, contactForm, createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { count, header, importOf, polled, signedIn, upload } from './csv-upload.ts'

t.test('a valid file: checked into a preview, then imported by the job', async (t) => {
  const { app, acme, agent } = await signedIn(t)
  const { jobs } = app.diContainer.cradle
  await createCustomer(app, acme.admin.id, 'Existing Co', { domain: 'existing.example' })
  const csv = [header,
    'Globex,globex.example,,,,Springfield,,us,Energy,Hank,Scorpio,hank@globex.example,,CEO',
    'Globex,globex.example,,,,Springfield,,US,Energy,Mindy,Simmons,mindy@globex.example,,',
    '"Initech, Inc.",,https://initech.example,,,Austin,,US,Software,,,,,',
    'Existing Co,existing.example,,,,,,,,Ella,Existing,,,'
  ].join('\n')
  const res = await upload(app, agent, csv)
  t.equal(res.statusCode, 303, 'the upload answers before any row is checked')
  const id = res.headers.location!.split('/').pop()!
  const checking = await agent.get(res.headers.location!)
  t.match(checking.body, /Checking row 1 of 4/)
  t.match(checking.body, /hx-trigger="every 1s"/, 'the page polls while the file is checked')
  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 409, 'no import before the preview')

  await jobs.runDue()
  const preview = await agent.get(`/portal/customers/imports/${id}`)
  t.match(preview.body, /4 rows · 4 valid · 0 with errors/)
  t.match(preview.body, /Initech, Inc\./)
  t.notMatch(preview.body, /hx-trigger/, 'polling stops at the preview')
  t.equal((await importOf(app, id)).records, null, 'the parsed file is dropped once checked')
  t.equal(await count(app, 'customer_accounts'), 1, 'nothing saved before the import is confirmed')

  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 303)
  const importing = await polled(agent, id)
  t.match(importing, /hx-trigger="every 1s"/, 'the page polls while the rows are saved')
  t.match(importing, /Imported 0 of 4 rows/)
  await jobs.runDue()
  const done = await polled(agent, id)
  t.notMatch(done, /hx-trigger/, 'polling stops when done')
  t.match(done, /2 new accounts and 3 contacts/)
  t.equal(await count(app, 'customer_accounts'), 3, 'Globex once, Initech; Existing Co reused')
  t.equal(await count(app, 'customer_contacts'), 3)
  const list = (await agent.get('/portal/customers')).body
  t.match(list, /initech\.example/, 'the domain comes from the website')
  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 409, 'an import runs once')
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').selectAll().where('action', '=', 'customers.imported').executeTakeFirstOrThrow()
  t.match(audit.after, { rows: 4, skipped_rows: 0, accounts: 2, contacts: 3 })
  t.equal(await app.diContainer.cradle.db.selectFrom('customer_import_lines').select('line').executeTakeFirst(), undefined, 'no row is left waiting')
})

t.test('a file with bad rows imports nothing; then only the valid rows, by choice', async (t) => {
  const { app, agent } = await signedIn(t)
  const csv = [header,
    'Good One,good.example,,,,,,,,,,,,',
    ',nodomain.example,,,,,,,,,,,,',
    'Bad Country,,,,,,,Narnia,,,,,,',
    '<script>alert(1)</script>,,,,,,,,,,,,,',
    'Bad Contact,,,,,,,,,Anna,,anna-at-example,,',
    'Good Two,,,,,,,,,Bea,Bee,,,'
  ].join('\n')
  const res = await upload(app, agent, csv)
  const id = res.headers.location!.split('/').pop()!
  await app.diContainer.cradle.jobs.runDue()
  const preview = (await agent.get(`/portal/customers/imports/${id}`)).body
  t.match(preview, /6 rows · 2 valid · 4 with errors/)
  for (const [row, field, why] of [
    ['3', 'account_name', 'Name is required'], ['4', 'country', 'Country must be one of the listed countries'],
    ['5', 'account_name', 'Name must not contain &lt; or &gt;'], ['6', 'contact_last_name', 'Last name is required'],
    ['6', 'contact_email', 'E-mail must be an e-mail address']
  ]) t.match(preview, new RegExp(`<td class="num">${row}</td><td><code>${field}</code></td><td>${why}`), `row ${row}: ${field}`)
  t.notMatch(preview, /<script>alert/, 'the payload is shown escaped')

  const refused = await agent.post(`/portal/customers/imports/${id}/start`)
  t.equal(refused.statusCode, 409)
  t.match(refused.body, /The file has 4 row\(s\) with errors, so nothing was imported/)
  const waiting = await app.diContainer.cradle.db.selectFrom('jobs').select('id').where('kind', '=', 'customers.import').where('done_at', 'is', null).execute()
  t.equal(waiting.length, 0, 'no import job was queued')
  t.equal(await count(app, 'customer_accounts'), 0)

  t.equal((await agent.post(`/portal/customers/imports/${id}/start`, { only_valid: 'on' })).statusCode, 303)
  await app.diContainer.cradle.jobs.runDue()
  t.equal(await count(app, 'customer_accounts'), 2)
  t.equal(await count(app, 'customer_contacts'), 1)
  t.match((await agent.get(`/portal/customers/imports/${id}`)).body, /4 rows with errors were left out/)
})

t.test('uploads that are not CSV we can use say why', async (t) => {
  const { app, agent } = await signedIn(t)
  const cases: Array<[string, RegExp]> = [
    ['name,city\nAcme,Paris', /including account_name/],
    [header, /no rows under its header/],
    [`${header}\n"unterminated,quote`, /not a CSV file we can read/]
  ]
  for (const [csv, message] of cases) {
    const res = await upload(app, agent, csv)
    t.equal(res.statusCode, 422)
    t.match(res.body, message)
  }
  const pasted = await agent.post('/portal/customers/import', { csv: '' })
  t.equal(pasted.statusCode, 422)
  t.match(pasted.body, /Choose a CSV file or paste its contents/)
  const ok = await agent.post('/portal/customers/import', { csv: `${header}\nPasted Ltd,,,,,,,,,,,,,` })
  t.equal(ok.statusCode, 303, 'pasting works without a file')
  const noToken = await app.inject({
    method: 'POST', url: '/portal/customers/import', remoteAddress: agent.ip,
    payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\nx\r\n--b--\r\n',
    headers: { 'content-type': 'multipart/form-data; boundary=b', cookie: agent.cookieHeader }
  })
  t.equal(noToken.statusCode, 403, 'an upload without the CSRF token is refused')
  t.equal(await count(app, 'customer_accounts'), 0)
})

t.test('the export is the filtered list, and formulas are neutralised', async (t) => {
  const { app, acme, agent } = await signedIn(t)
  const { customers, customerContacts } = app.diContainer.cradle
  const viewer = await viewerFor(app, acme.admin.id)
  const payload = "=cmd|' /C calc'!A0"
  const evil = await customers.createAccount(viewer, accountForm({ name: 'Evil Corp', industry: payload, phone: '+1 555 0100', city: '@SUM(1+1)' }))
  await customerContacts.create(viewer, contactForm({ first_name: 'Eve', last_name: '-2+3', account_id: evil }))
  await customers.createAccount(viewer, accountForm({ name: 'Other Co', country: 'GB' }))

  const res = await agent.get('/portal/customers/export.csv?country=US')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/csv/)
  t.match(res.headers['content-disposition'], /attachment; filename="customers-/)
  const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>
  t.same(rows.map((r) => r.account_name), ['Evil Corp'], 'only the filtered rows')
  t.equal(rows[0]!.industry, `'${payload}`)
  t.equal(rows[0]!.city, "'@SUM(1+1)")
  t.equal(rows[0]!.phone, "'+1 555 0100")

  const contacts = parse((await agent.get('/portal/customers/contacts/export.csv')).body, { columns: true }) as Array<Record<string, string>>
  t.equal(contacts[0]!.contact_last_name, "'-2+3")

  const imported = await agent.post('/portal/customers/import', { csv: `${header}\n"${payload.replace(/"/g, '""')}",,,,,,,,,,,,,` })
  const id = imported.headers.location!.split('/').pop()!
  await app.diContainer.cradle.jobs.runDue()
  await agent.post(`/portal/customers/imports/${id}/start`)
  await app.diContainer.cradle.jobs.runDue()
  const again = parse((await agent.get(`/portal/customers/export.csv?q=${encodeURIComponent('cmd|')}`)).body, { columns: true }) as Array<Record<string, string>>
  t.same(again.map((r) => r.account_name), [`'${payload}`], 'an imported formula leaves the export as text')
})

t.test('a file over the upload limit is refused with a clear message and imports nothing', async (t) => {
  const { app, agent } = await signedIn(t)
  const row = 'Globex,globex.example,,,,Springfield,,US,Energy,Hank,Scorpio,hank@globex.example,,CEO\n'
  const res = await upload(app, agent, header + '\n' + row.repeat(Math.ceil((11 * 1024 * 1024) / row.length)))
  t.equal(res.statusCode, 413)
  t.match(res.body, /larger than the limit/)
  t.equal(await count(app, 'customer_accounts'), 0)
})
