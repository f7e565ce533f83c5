import t from 'tap'
import { sql } from 'kysely'
import { BadRequest } from '../../core/lib/errors.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import { buildTestApp } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db, jobs, submissions } = app.diContainer.cradle
await sql`create table things (id uuid primary key default gen_random_uuid(), name text not null)`.execute(db)

const things = async (name: string) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from things where name = ${name}`.execute(db)).rows[0]!.n)
const keys = async (key: string) =>
  (await db.selectFrom('form_submissions').select('actor').where('key', '=', key).execute()).map((r) => r.actor).sort()

/** What a service's create method does: the record and the key in one transaction. */
function createThing(name: string, options: { before?: () => Promise<void>; after?: () => void } = {}) {
  let runs = 0
  const work = async (submission: Submission) => {
    runs++
    await options.before?.()
    return db.transaction().execute(async (trx) => {
      const { id } = (await sql<{ id: string }>`insert into things (name) values (${name}) returning id`.execute(trx)).rows[0]!
      await submission.record(trx, id)
      options.after?.()
      return id
    })
  }
  return { work, runs: () => runs }
}

const form = (key?: string) => ({ body: key === undefined ? {} : { _submission: key }, headers: {} })
const at = (id: string) => `/things/${id}`

t.test('the same key twice runs the work once and answers the same location', async (t) => {
  const key = crypto.randomUUID()
  const thing = createThing('twice')
  const first = await submissions.once(form(key), 'user-1', thing.work, at)
  t.match(first, { repeat: false, location: /^\/things\/[0-9a-f-]{36}$/ })
  t.equal(first.location, at((first as { created: string }).created), 'the location of what it created')
  const second = await submissions.once(form(key.toUpperCase()), 'user-1', thing.work, at)
  t.same(second, { repeat: true, location: first.location }, 'the key is matched in any letter case')
  t.equal(thing.runs(), 1)
  t.equal(await things('twice'), 1)
})

t.test('two concurrent submissions of one key create one record', async (t) => {
  const key = crypto.randomUUID()
  // Both pass the first look-up before either writes, so it is the key's insert that decides.
  let started = 0
  let release!: () => void
  const bothStarted = new Promise<void>((resolve) => { release = resolve })
  const thing = createThing('concurrent', { before: async () => { if (++started === 2) release(); await bothStarted } })
  const results = await Promise.all([1, 2].map(() => submissions.once(form(key), 'user-1', thing.work, at)))
  t.equal(thing.runs(), 2, 'both ran their work')
  t.equal(await things('concurrent'), 1, 'one record committed')
  t.same(results.map((r) => r.repeat).sort(), [false, true], 'the second answers as a repeat')
  t.equal(results[0]!.location, results[1]!.location, 'of the first one’s location')
  t.same(await keys(key), ['user-1'])
})

t.test('work that fails records no key, so a retry with the key runs it', async (t) => {
  const key = crypto.randomUUID()
  const refused = createThing('failing', { before: async () => { throw new Error('refused before the transaction') } })
  await t.rejects(submissions.once(form(key), 'user-1', refused.work, at), /refused before/)
  const rolledBack = createThing('failing', { after: () => { throw new Error('failed after recording') } })
  await t.rejects(submissions.once(form(key), 'user-1', rolledBack.work, at), /failed after recording/)
  t.same(await keys(key), [], 'the key went with the rolled-back record')
  t.equal(await things('failing'), 0)

  const retry = createThing('failing')
  t.match(await submissions.once(form(key), 'user-1', retry.work, at), { repeat: false })
  t.equal(await things('failing'), 1)
})

t.test('actors are independent: the same key of two actors creates twice', async (t) => {
  const key = crypto.randomUUID()
  const thing = createThing('actors')
  const mine = await submissions.once(form(key), 'user-1', thing.work, at)
  const public_ = await submissions.once(form(key), 'public', thing.work, at)
  t.match([mine, public_], [{ repeat: false }, { repeat: false }])
  t.not(mine.location, public_.location)
  t.same(await keys(key), ['public', 'user-1'])
})

t.test('a malformed key answers 400 and runs nothing', async (t) => {
  const thing = createThing('malformed')
  for (const key of ['', 'not-a-uuid', `${crypto.randomUUID()}x`]) {
    const err = await submissions.once(form(key), 'user-1', thing.work, at).catch((e: unknown) => e)
    t.ok(err instanceof BadRequest, `${JSON.stringify(key)}: a BadRequest`)
    t.match(err, { status: 400, message: 'This form is damaged or out of date. Reload the page and try again.' })
  }
  const twice = { body: { _submission: [crypto.randomUUID(), crypto.randomUUID()] }, headers: {} }
  t.ok(await submissions.once(twice, 'user-1', thing.work, at).catch((e: unknown) => e instanceof BadRequest), 'a key sent twice: a BadRequest')
  t.equal(thing.runs(), 0)
})

t.test('without a key the work runs every time', async (t) => {
  const thing = createThing('keyless')
  const first = await submissions.once(form(), 'user-1', thing.work, at)
  const second = await submissions.once(form(), 'user-1', thing.work, at)
  t.match([first, second], [{ repeat: false }, { repeat: false }])
  t.not(first.location, second.location)
  t.equal(await things('keyless'), 2)
})

t.test('the API’s Idempotency-Key header is the same key', async (t) => {
  const key = crypto.randomUUID()
  const thing = createThing('header')
  const request = { body: { name: 'x' }, headers: { 'idempotency-key': key } }
  const first = await submissions.once(request, 'user-1', thing.work, at)
  t.same(await submissions.once(request, 'user-1', thing.work, at), { repeat: true, location: first.location })
  t.equal(await things('header'), 1)
})

t.test('a work that never records what it created is a mistake, not a silent success', async (t) => {
  await t.rejects(submissions.once(form(crypto.randomUUID()), 'user-1', async () => 'nothing recorded', at), /without recording/)
})

t.test('now and then a submission queues the prune of keys older than a week', async (t) => {
  // The file's earlier submissions may each have queued a prune by chance (one in a hundred): run those first.
  await jobs.runDue()
  const old = crypto.randomUUID()
  const recent = crypto.randomUUID()
  await db.insertInto('form_submissions').values([
    { actor: 'user-1', key: old, location: '/old', created_at: sql<Date>`now() - interval '8 days'` },
    { actor: 'user-1', key: recent, location: '/recent', created_at: sql<Date>`now() - interval '6 days'` }
  ]).execute()
  const random = Math.random
  Math.random = () => 0
  t.teardown(() => { Math.random = random })
  await submissions.once(form(crypto.randomUUID()), 'user-1', createThing('prune').work, at)
  Math.random = random
  t.equal(await jobs.runDue(), 1, 'the prune ran as a job')
  t.same(await keys(old), [], 'the old key is gone')
  t.same(await keys(recent), ['user-1'], 'a key of this week is kept')
})
