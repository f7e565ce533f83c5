import { randomInt } from 'node:crypto'
import { sleep, waitFor, type Context, type Scenario } from '../harness.ts'
import { Client, type Answer } from '../http.ts'
import { Load, statusText, tally } from '../load.ts'
import { query } from '../postgres.ts'
import { checkWrites, storedOnPostgres } from '../writes.ts'
import { admin, colin, freshStorage, nora, ok, runId, sid, signedIn, startPortal } from './common.ts'

const signInLimit = 10

/** Offers to Northwind, cloned from the demo's offered deal, for races and for expiry. */
async function cloneOffers(database: string, count: number, deadline: string): Promise<string[]> {
  const rows = await query<{ id: string }>(database, `
    with source as (
      select o.* from opportunities o join opportunity_offers f on f.opportunity_id = o.id where f.status = 'pending' limit 1
    ), copies as (
      insert into opportunities (name, description, source, status, stage, customer_name, customer_domain, territory, expertise, estimated_revenue, currency, expected_close, distribution, created_by)
      select s.name || ' (resilience ' || g || ')', s.description, s.source, 'offered', s.stage, s.customer_name || ' ' || g, null, s.territory, s.expertise, s.estimated_revenue, s.currency, s.expected_close, 'manual', s.created_by
      from source s, generate_series(1, $1::int) g returning id
    )
    insert into opportunity_offers (opportunity_id, partner_id, deadline)
    select c.id, (select id from partners where name = 'Northwind Traders'), now() + $2::interval from copies c returning id::text as id`, [count, deadline])
  return rows.map((r) => r.id)
}

const idOf = async (database: string, text: string, param: string) => (await query<{ id: string }>(database, text, [param]))[0]!.id

async function run(ctx: Context): Promise<void> {
  const storage = await freshStorage(ctx, 'postgres', 'two')
  const db = storage.database!
  // One after the other: the first migrates and loads the demo data, the second finds it there.
  const a = await startPortal(ctx, { name: 'resil-a', ...storage.for('resil-a'), redis: true })
  const b = await startPortal(ctx, { name: 'resil-b', ...storage.for('resil-b'), redis: true })

  // Requests alternating between the two, reads and writes, from browsers signed in on A.
  const clients = await signedIn(a.origin, 4, nora)
  const load = new Load({ clients, prefix: `two-${runId()}`, thinkMs: 40, origins: [a.origin, b.origin] }).start()
  ctx.onCleanup(() => load.stop())
  await sleep(3000)
  await load.stop()
  const all = tally(load.outcomes)
  ctx.figures('alternating', { requests: all.total, answers: statusText(all.byStatus), 'max latency': `${all.maxMs} ms` })
  ctx.check('a session signed in on A works on both, request after request', load.outcomes.length > 0 && load.outcomes.every((o) => ok(o.answer)), statusText(all.byStatus))
  checkWrites(ctx, load.writes, await storedOnPostgres(db)(load.prefix))

  // Sign-out on A: the same cookie no longer works on B.
  const leaving = (await signedIn(a.origin, 1, nora))[0]!
  const copied = new Client(b.origin, leaving.session.copy())
  const before = await copied.signedIn()
  const out = await leaving.post('/signout')
  const after = await copied.signedIn()
  ctx.check('sign-out on A ends the session on B at its next request', before.yes && out.status === 303 && !after.yes,
    `on B before ${before.answer.status}, sign-out ${out.status}, on B after ${after.answer.status} ${String(after.answer.headers.location ?? '')}`)

  // Removal on A: the removed person is signed out on B.
  const sidOnB = (await signedIn(b.origin, 1, sid))[0]!
  const sidBefore = await sidOnB.signedIn()
  const noraOnA = (await signedIn(a.origin, 1, nora))[0]!
  const removed = await noraOnA.post(`/portal/team/${await idOf(db, 'select id::text as id from users where email = $1', sid.email)}/remove`)
  const sidAfter = await sidOnB.signedIn()
  ctx.check('removal on A signs the person out on B at their next request', sidBefore.yes && removed.status === 303 && !sidAfter.yes,
    `before ${sidBefore.answer.status}, removal ${removed.status}, after ${sidAfter.answer.status}`)

  // Suspension on A: the partner's people are signed out on B.
  const colinOnB = (await signedIn(b.origin, 1, colin))[0]!
  const colinBefore = await colinOnB.signedIn()
  const staffOnA = new Client(a.origin)
  await staffOnA.signIn(admin.email, admin.password)
  const contoso = await idOf(db, 'select id::text as id from partners where name = $1', 'Contoso Solutions')
  const suspended = await staffOnA.post(`/admin/partners/${contoso}/suspend`, { reason: 'Resilience suite: suspension across processes' })
  const colinAfter = await colinOnB.signedIn()
  ctx.check('suspension on A signs the partner out on B at their next request', colinBefore.yes && suspended.status === 303 && !colinAfter.yes,
    `before ${colinBefore.answer.status}, suspension ${suspended.status}, after ${colinAfter.answer.status}`)

  // Due jobs with both runners polling: each is done once.
  const mails = 40
  await query(db, `with m as (insert into mail_outbox (to_address, subject, body) select 'job' || g || '@resilience.example', 'resilience', 'x' from generate_series(1, $1::int) g returning id)
    insert into jobs (kind, payload) select 'mail.deliver', jsonb_build_object('mailId', id) from m`, [mails])
  const expiring = await cloneOffers(db, 3, '-1 second')
  await query(db, `insert into jobs (kind, payload) select 'opportunity.offer-expire', jsonb_build_object('offerId', id) from unnest($1::uuid[]) id`, [expiring])
  const finished = await waitFor(async () => {
    const [row] = await query<{ open: number }>(db, `select count(*)::int as open from jobs where done_at is null and failed_at is null and run_at <= now()`)
    return row!.open === 0
  }, 20_000, 200)
  const [jobs] = await query<{ done: number; twice: number; failed: number }>(db, `select count(*) filter (where done_at is not null)::int as done,
    count(*) filter (where attempts > 1)::int as twice, count(*) filter (where failed_at is not null or last_error is not null)::int as failed
    from jobs where kind = 'mail.deliver' and payload->>'mailId' in (select id::text from mail_outbox where subject = 'resilience')
       or kind = 'opportunity.offer-expire' and payload->>'offerId' = any($1::text[])`, [expiring])
  const [expiry] = await query<{ expired: number; events: number }>(db, `select
    (select count(*)::int from opportunity_offers where id = any($1::uuid[]) and status = 'expired') as expired,
    (select count(*)::int from opportunity_events e join opportunity_offers f on f.opportunity_id = e.opportunity_id where f.id = any($1::uuid[]) and e.kind = 'expired') as events`, [expiring])
  ctx.figures('due jobs', { jobs: mails + expiring.length, done: jobs!.done, 'run twice': jobs!.twice, failed: jobs!.failed, 'offers expired': `${expiry!.expired}/${expiring.length}`, 'expiry events': expiry!.events })
  ctx.check('due jobs are done by the two runners, each once', !!finished && jobs!.done === mails + expiring.length && jobs!.twice === 0 && jobs!.failed === 0 && expiry!.events === expiring.length,
    `${jobs!.done} done, ${jobs!.twice} run twice, ${expiry!.events} expiry events for ${expiring.length} offers`)

  // One offer accepted through both at once (twice on each): exactly one acceptance.
  const offers = [await idOf(db, `select id::text as id from opportunity_offers where status = 'pending' and deadline > now() and partner_id = (select id from partners where name = $1) limit 1`, 'Northwind Traders'),
    ...await cloneOffers(db, 4, '72 hours')]
  const accepter = (await signedIn(a.origin, 1, nora))[0]!
  const races: Array<{ answers: Answer[]; accepted: number; events: number }> = []
  for (const offer of offers) {
    const answers = await Promise.all([a, b, a, b].map((p) => accepter.at(p.origin).post(`/portal/opportunities/offers/${offer}/accept`)))
    const [row] = await query<{ accepted: number; events: number }>(db, `select (select count(*)::int from opportunity_offers where id = $1 and status = 'accepted') as accepted,
      (select count(*)::int from opportunity_events e join opportunity_offers f on f.opportunity_id = e.opportunity_id where f.id = $1 and e.kind = 'accepted') as events`, [offer])
    races.push({ answers, ...row! })
  }
  ctx.figures('offer races', { offers: offers.length, answers: races.map((r) => r.answers.map((x) => x.status).join('/')).join(' '), 'acceptance events': races.map((r) => r.events).join(' ') })
  ctx.check('an offer accepted through both at once is accepted once', races.every((r) => r.answers.filter((x) => x.status === 303).length === 1 && r.accepted === 1 && r.events === 1),
    races.every((r) => r.answers.every((x) => x.status === 303 || x.status === 409)) ? 'the others answered 409' : 'unexpected answers')

  // The sign-in limit, counted in Redis: 10 attempts a minute from one address, wherever they land.
  const address = `10.${randomInt(200, 250)}.${randomInt(0, 250)}.${randomInt(1, 250)}`
  const statuses: number[] = []
  for (let i = 0; i < signInLimit + 2; i++) {
    const browser = new Client(i % 2 ? b.origin : a.origin, undefined, address)
    await browser.get('/signin')
    statuses.push((await browser.post('/signin', { email: nora.email, password: 'not-the-password' })).status)
  }
  ctx.figures('sign-in limit', { attempts: statuses.length, answers: statuses.join(' ') })
  ctx.check(`the sign-in limit (${signInLimit} a minute) is shared by both processes through Redis`,
    statuses.slice(0, signInLimit).every((s) => s === 422) && statuses.slice(signInLimit).every((s) => s === 429), `attempts ${signInLimit + 1} and ${signInLimit + 2}: ${statuses.slice(signInLimit).join(', ')}`)

  ctx.check('both processes are still up', a.alive && b.alive)
}

export const twoProcesses: Scenario = {
  name: 'two portal processes on one database', databases: ['postgres'], timeoutMs: 120_000,
  skipReason: 'a PGlite folder is opened by one process only (it is locked), so two processes cannot share it',
  run
}
