import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { createCustomer } from '../../fixtures/customers.ts'
import { registrationForm } from '../../fixtures/opportunities.ts'
import type { Agent } from '../../helper.ts'
import { count, header, importOf, polled, signedIn, upload } from './csv-upload.ts'

/** `rows` rows, `perAccount` contacts to each account; the first account is the partner's existing.example. */
function file(rows: number, perAccount: number, contactLastName: (i: number) => string = (i) => `Last${i}`): string {
  const lines = [header]
  for (let i = 0; i < rows; i++) {
    const a = Math.floor(i / perAccount)
    const domain = a === 0 ? 'existing.example' : `bench${a}.example`
    lines.push(`Bench Customer ${a},${domain},,,,Springfield,,US,,First${i},${contactLastName(i)},person${i}@${domain},,`)
  }
  return lines.join('\n')
}

/** Uploads the file and runs the jobs the partner's setup queued, so each runDue(1) after runs one chunk. */
async function uploaded(app: FastifyInstance, agent: Agent, csv: string): Promise<string> {
  await app.diContainer.cradle.jobs.runDue()
  const res = await upload(app, agent, csv)
  if (res.statusCode !== 303) throw new Error(`upload answered ${res.statusCode}`)
  return res.headers.location!.split('/').pop()!
}

/** A database trigger that refuses rows of `table` matching `when`: a real failure in the middle of an import. */
async function refuse(app: FastifyInstance, table: string, when: string): Promise<() => Promise<void>> {
  const { db } = app.diContainer.cradle
  await sql`create function boom() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`.execute(db)
  await sql`create trigger boom before insert on ${sql.table(table)} for each row when (${sql.raw(when)}) execute function boom()`.execute(db)
  return async () => {
    await sql`drop trigger boom on ${sql.table(table)}`.execute(db)
  }
}

const onBoom = "new.last_name = 'Boom'"

const retryNow = (app: FastifyInstance) =>
  app.diContainer.cradle.db.updateTable('jobs').set({ run_at: sql`now()` }).where('done_at', 'is', null).execute()

t.test('a large file is checked and imported a chunk at a time, its page showing how far it has got', async (t) => {
  const { app, acme, agent } = await signedIn(t)
  const { db, jobs } = app.diContainer.cradle
  await createCustomer(app, acme.admin.id, 'Existing Co', { domain: 'existing.example' })
  // Three rows per account: account 166 has rows 498 to 500, on both sides of the first import chunk's end.
  const id = await uploaded(app, agent, file(2500, 3))
  t.match(await polled(agent, id), /<progress value="0" max="2500"[^>]*>[\s\S]*Checking row 1 of 2,500/)

  for (const checked of [1000, 2000]) {
    t.equal(await jobs.runDue(1), 1)
    t.equal((await importOf(app, id)).checked_rows, checked, `${checked} rows checked, committed with their chunk`)
    t.match(await polled(agent, id), new RegExp(`<progress value="${checked}" max="2500"[^>]*>[\\s\\S]*Checking row ${(checked + 1).toLocaleString('en-US')} of 2,500`))
  }
  await jobs.runDue(1)
  t.match(await importOf(app, id), { status: 'preview', checked_rows: 2500, valid_rows: 2500, records: null })
  t.match(await polled(agent, id), /2,500 rows · 2,500 valid · 0 with errors/)

  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 303)
  t.match(await polled(agent, id), /<progress value="0" max="2500"[^>]*>[\s\S]*Imported 0 of 2,500 rows/)
  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 409, 'started once')
  await jobs.runDue(1)
  t.match(await importOf(app, id), { imported_rows: 500, accounts_created: 166, contacts_created: 500 })
  t.equal(await count(app, 'customer_accounts'), 167, 'the first chunk is saved')
  t.match(await polled(agent, id), /<progress value="500" max="2500"[^>]*>[\s\S]*Imported 500 of 2,500 rows/)
  t.match((await agent.get('/portal/customers?q=Bench+Customer+165')).body, /bench165\.example/, 'its rows are in the list while the import runs')
  for (const imported of [1000, 1500, 2000]) {
    await jobs.runDue(1)
    t.match(await polled(agent, id), new RegExp(`Imported ${imported.toLocaleString('en-US')} of 2,500 rows`))
  }
  await jobs.runDue(1)
  t.match(await importOf(app, id), { status: 'done', imported_rows: 2500, accounts_created: 833, contacts_created: 2500 })
  t.match(await polled(agent, id), /833 new accounts and 2,500 contacts/)
  t.equal(await count(app, 'customer_accounts'), 834)
  t.equal(await count(app, 'customer_contacts'), 2500)
  const straddling = await db.selectFrom('customer_accounts').innerJoin('customer_contacts', 'customer_contacts.account_id', 'customer_accounts.id')
    .select('customer_accounts.id').where('customer_accounts.domain', '=', 'bench166.example').execute()
  t.equal(straddling.length, 3, 'an account whose rows span two chunks is added once, with all its contacts')
  t.equal(new Set(straddling.map((r) => r.id)).size, 1)
  const existing = await db.selectFrom('customer_accounts').select(['id', 'import_id']).where('domain', '=', 'existing.example').executeTakeFirstOrThrow()
  t.equal(existing.import_id, null, 'an account the partner had is not the import’s')
  const ofImport = await db.selectFrom('customer_accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('import_id', '=', id).executeTakeFirstOrThrow()
  t.equal(Number(ofImport.n), 833, 'the accounts it added name the import')
  const audit = await db.selectFrom('audit_log').select('after').where('action', '=', 'customers.imported').executeTakeFirstOrThrow()
  t.same(audit.after, { file: 'customers.csv', rows: 2500, skipped_rows: 0, accounts: 833, contacts: 2500 })
})

t.test('a chunk that fails is retried later and saves its rows once', async (t) => {
  const { app, agent } = await signedIn(t)
  const { db, jobs } = app.diContainer.cradle
  const id = await uploaded(app, agent, file(1200, 2, (i) => (i === 700 ? 'Boom' : `Last${i}`)))
  await jobs.runDue()
  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 303)
  const repair = await refuse(app, 'customer_contacts', onBoom)

  await jobs.runDue(1)
  t.equal(await count(app, 'customer_contacts'), 500, 'the first chunk is saved')
  await jobs.runDue(1)
  t.match(await importOf(app, id), { status: 'importing', imported_rows: 500 }, 'the failed chunk left its progress as it was')
  t.equal(await count(app, 'customer_contacts'), 500, 'and saved none of its rows')
  const job = await db.selectFrom('jobs').selectAll().where('kind', '=', 'customers.import').where('done_at', 'is', null).executeTakeFirstOrThrow()
  t.match(job, { attempts: 1, last_error: 'boom', failed_at: null }, 'the job waits for its retry')
  t.match(await polled(agent, id), /Imported 500 of 1,200 rows/)

  await repair()
  await retryNow(app)
  await jobs.runDue()
  t.match(await importOf(app, id), { status: 'done', imported_rows: 1200, accounts_created: 600, contacts_created: 1200 })
  t.equal(await count(app, 'customer_contacts'), 1200, 'each row once')
  t.equal(await count(app, 'customer_accounts'), 600)
  const emails = await db.selectFrom('customer_contacts').select('email').distinct().execute()
  t.equal(emails.length, 1200)
})

t.test('an import whose chunk fails for good takes back what it added and says why', async (t) => {
  const { app, acme, agent } = await signedIn(t)
  const { db, jobs } = app.diContainer.cradle
  await createCustomer(app, acme.admin.id, 'Existing Co', { domain: 'existing.example', contact: 'Ella' })
  const id = await uploaded(app, agent, file(1200, 2, (i) => (i === 700 ? 'Boom' : `Last${i}`)))
  await jobs.runDue()
  await agent.post(`/portal/customers/imports/${id}/start`)
  await refuse(app, 'customer_contacts', onBoom)
  await jobs.runDue(1)
  t.equal(await count(app, 'customer_contacts'), 501, 'the first chunk is saved')

  // Someone registers a deal for an account the import added, while the import runs.
  const inUse = await db.selectFrom('customer_accounts').select('id').where('domain', '=', 'bench5.example').executeTakeFirstOrThrow()
  t.equal((await agent.post('/portal/opportunities', registrationForm(inUse.id))).statusCode, 303)

  for (let attempt = 1; attempt <= 4; attempt++) {
    await retryNow(app)
    t.equal(await jobs.runDue(1), 1)
    t.equal((await importOf(app, id)).status, 'importing', `attempt ${attempt} failed; the job will try again`)
  }
  await retryNow(app)
  await jobs.runDue(1)
  const record = await importOf(app, id)
  t.equal(record.status, 'failed', 'the last attempt fails the import')
  t.match(record.failure, /after 500 of 1,200, because of an error on our side, so the import stopped and everything it had added was removed except 1 account\(s\) that opportunities or other records now use/)
  const accounts = await db.selectFrom('customer_accounts').select('domain').orderBy('domain').execute()
  t.same(accounts.map((a) => a.domain), ['bench5.example', 'existing.example'], 'only the account with a deal is kept')
  const contacts = await db.selectFrom('customer_contacts').select('first_name').orderBy('first_name').execute()
  t.same(contacts.map((c) => c.first_name), ['Ella', 'First10', 'First11'], 'the contacts the import added to an existing account are gone')
  t.equal(await db.selectFrom('customer_import_lines').select('line').executeTakeFirst(), undefined)
  const page = await polled(agent, id)
  t.match(page, /The import failed/)
  t.notMatch(page, /hx-trigger/, 'polling stops')
  const audit = await db.selectFrom('audit_log').select('after').where('action', '=', 'customers.import-failed').executeTakeFirstOrThrow()
  t.match(audit.after, { error: 'boom', removed_accounts: 248, removed_contacts: 498, kept_accounts: [inUse.id] })
})

t.test('a check that fails for good ends the import and saves nothing', async (t) => {
  const { app, agent } = await signedIn(t)
  const id = await uploaded(app, agent, file(10, 1))
  await refuse(app, 'customer_import_lines', 'true')
  for (let attempt = 1; attempt <= 5; attempt++) {
    await retryNow(app)
    await app.diContainer.cradle.jobs.runDue(1)
  }
  t.match(await importOf(app, id), { status: 'failed', failure: /Checking the file stopped at row 2 because of an error on our side\. Nothing was saved\./, records: null })
  t.equal(await count(app, 'customer_accounts'), 0)
  t.equal((await agent.post(`/portal/customers/imports/${id}/start`)).statusCode, 409)
})
