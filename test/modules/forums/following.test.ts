import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator, idIn } from '../../fixtures/forums.ts'

const mails = (app: FastifyInstance, to: string) =>
  app.diContainer.cradle.db.selectFrom('mail_outbox').select(['subject', 'body']).where('to_address', '=', to)
    .where(sql<boolean>`subject ~ '^(New thread|Re:|Forum digest)'`).orderBy('created_at').execute()

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

/** Runs the digest jobs as if their time had come. */
async function digestTime(app: FastifyInstance) {
  const { db, jobs } = app.diContainer.cradle
  await sql`update jobs set run_at = now() where kind = 'forums.digest'`.execute(db)
  await jobs.runDue()
}

t.test('followers get a mail at once, the author none; a hidden company stays hidden in it; the signed link stops one follow without signing in', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge', allowHiddenCompany: true }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const asker = await signedIn(app, north)
  const watcher = await signedIn(app, south)

  t.equal((await watcher.post(`/portal/forums/f/${lounge!.id}/follow`, { level: 'threads' })).statusCode, 303)
  const created = await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Who sells bundles?', body: 'We want to know.', hide_company: 'on' })
  const threadId = idIn(created.headers.location)
  const toWatcher = await mails(app, south.email)
  t.equal(toWatcher.length, 1, 'a forum follower hears of the new thread')
  t.match(toWatcher[0]!.subject, 'New thread in Lounge: Who sells bundles?')
  t.match(toWatcher[0]!.body, /north Admin wrote in “Who sells bundles\?”/)
  t.notMatch(toWatcher[0]!.body, /north Ltd/, 'the hidden company is not in another partner’s mail')
  t.equal((await mails(app, north.email)).length, 0, 'no mail to the author')

  t.equal((await watcher.post(`/portal/forums/t/${threadId}/replies`, { body: 'We do, with support.' })).statusCode, 303)
  const toAsker = await mails(app, north.email)
  t.equal(toAsker.length, 1, 'the asker follows what they started')
  t.match(toAsker[0]!.subject, 'Re: Who sells bundles?')
  t.match(toAsker[0]!.body, /south Admin of south Ltd wrote/)
  t.equal((await mails(app, south.email)).length, 1, 'threads-only forum followers hear no replies, and the replier none of their own')

  const link = /Stop following this thread: http:\/\/portal\.test(\/forums\/unfollow\?token=\S+)/.exec(toAsker[0]!.body)?.[1]
  t.ok(link, 'the mail carries a stop-following link')
  const stranger = new Agent(app)
  const confirm = await stranger.get(link!)
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, /Stop e-mail about the thread “Who sells bundles\?”/)
  const token = new URL(link!, 'http://portal.test').searchParams.get('token')!
  t.equal((await stranger.post('/forums/unfollow', { token: token.slice(0, -2) + 'xx' })).statusCode, 404, 'a tampered link does nothing')
  const [payload] = token.split('.')
  const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, string>
  t.equal((await stranger.post('/forums/unfollow', { token: `${Buffer.from(JSON.stringify({ ...forged, k: 'forum', i: lounge!.id })).toString('base64url')}.${token.split('.')[1]}` })).statusCode, 404,
    'the signature covers what the link stops')
  t.equal((await stranger.post('/forums/unfollow', { token })).statusCode, 200, 'signed out, the link works')
  await watcher.post(`/portal/forums/t/${threadId}/replies`, { body: 'One more thing.' })
  t.equal((await mails(app, north.email)).length, 1, 'no more mail about that thread')
  t.notMatch((await asker.get(`/portal/forums/t/${threadId}`)).body, /Following — stop/, 'the thread shows as not followed')
  await asker.post(`/portal/forums/t/${threadId}/replies`, { body: 'Thanks.' })
  await watcher.post(`/portal/forums/t/${threadId}/replies`, { body: 'You are welcome.' })
  t.equal((await mails(app, north.email)).length, 1, 'replying again does not follow anew what was unfollowed')
})

t.test('a daily digest: one mail per person per day with what happened, none when nothing did', async (t) => {
  const { app } = await buildTestApp(t)
  const { clock, db } = app.diContainer.cradle
  let now = Date.UTC(2026, 11, 7, 9, 0, 0)
  clock.now = () => now
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const asker = await signedIn(app, north)
  const helper = await signedIn(app, south)
  t.equal((await asker.post('/portal/forums/settings', { delivery: 'digest', auto_follow: 'on' })).statusCode, 303)
  const threadId = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Digest question', body: 'Anyone?' })).headers.location)
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'First answer.' })
  now += 3600_000
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'Second answer.' })
  t.equal((await mails(app, north.email)).length, 0, 'nothing at once for a digest reader')
  const queued = await db.selectFrom('jobs').select(['run_at', 'payload']).where('kind', '=', 'forums.digest').execute()
  t.equal(queued.length, 1, 'one digest job for the person and day')
  t.same(queued[0]!.run_at, new Date(Date.UTC(2026, 11, 8, 7, 0, 0)), 'due at the next digest hour')

  await digestTime(app)
  const first = await mails(app, north.email)
  t.equal(first.length, 1, 'one digest')
  t.match(first[0]!.subject, 'Forum digest: 2 new posts in 1 thread')
  t.match(first[0]!.body, /Digest question \(Lounge\)\n- south Admin of south Ltd: First answer\.\n- south Admin of south Ltd: Second answer\./)
  t.match(first[0]!.body, /Stop following: http:\/\/portal\.test\/forums\/unfollow\?token=/)

  await db.deleteFrom('forum_digests').execute()
  await sql`insert into jobs (kind, payload, run_at) values ('forums.digest', ${JSON.stringify({ userId: north.admin.id, day: '2026-12-08' })}::jsonb, now())`.execute(db)
  await digestTime(app)
  t.equal((await mails(app, north.email)).length, 1, 'nothing to tell: no mail')

  now = Date.UTC(2026, 11, 8, 10, 0, 0)
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'Next day news.' })
  await sql`insert into jobs (kind, payload, run_at) values ('forums.digest', ${JSON.stringify({ userId: north.admin.id, day: '2026-12-08' })}::jsonb, now())`.execute(db)
  await digestTime(app)
  t.equal((await mails(app, north.email)).length, 2, 'one more for the next day')
  t.equal((await db.selectFrom('forum_digests').select('day').where('user_id', '=', north.admin.id).execute()).length, 1, 'a second run for a day already sent sends nothing')
})

t.test('naming someone of the thread as @Their Name tells them, once, and only people of the thread', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const east = await createActivePartner(app, 'east')
  const west = await createActivePartner(app, 'west')
  const asker = await signedIn(app, north)
  const helper = await signedIn(app, east)
  const threadId = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Mentions work?', body: 'Hello' })).headers.location)
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'I am here.' })
  await helper.post(`/portal/forums/t/${threadId}/follow`, { following: 'no' })
  const mentionMails = (email: string) => app.diContainer.cradle.db.selectFrom('mail_outbox').select(['subject', 'body']).where('to_address', '=', email).where('subject', 'like', '%mentioned you%').execute()

  await asker.post(`/portal/forums/t/${threadId}/replies`, { body: 'What do you think, @East Admin? And @west Admin, and @eastern Admin?' })
  const toEast = await mentionMails(east.email)
  t.equal(toEast.length, 1, 'the person named hears of it')
  t.match(toEast[0]!.subject, 'north Admin mentioned you: Mentions work?')
  t.match(toEast[0]!.body, /north Admin of north Ltd mentioned you in “Mentions work\?” \(Lounge\)/)
  t.equal((await mentionMails(west.email)).length, 0, 'someone who never wrote in the thread is not told')
  t.equal((await mentionMails(north.email)).length, 0)

  await helper.post(`/portal/forums/t/${threadId}/follow`, { following: 'yes' })
  await asker.post(`/portal/forums/t/${threadId}/replies`, { body: 'Thanks @east Admin' })
  t.equal((await mentionMails(east.email)).length, 1, 'a follower gets the reply’s mail, not a second one')
})

t.test('what waits after a day’s digest went out goes in the next day’s', async (t) => {
  const { app } = await buildTestApp(t)
  const { clock, db } = app.diContainer.cradle
  const now = Date.UTC(2026, 11, 9, 9, 0, 0)
  clock.now = () => now
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const reader = await signedIn(app, north)
  const writer = await signedIn(app, south)
  await reader.post('/portal/forums/settings', { delivery: 'digest', auto_follow: 'on' })
  await reader.post(`/portal/forums/f/${lounge!.id}/follow`, { level: 'posts' })
  await db.insertInto('forum_digests').values({ user_id: north.admin.id, day: '2026-12-09', posts: 1 }).execute()
  await writer.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'discussion', title: 'Late news', body: 'After the digest' })
  await sql`insert into jobs (kind, payload, run_at) values ('forums.digest', ${JSON.stringify({ userId: north.admin.id, day: '2026-12-09' })}::jsonb, now())`.execute(db)
  await sql`delete from jobs where kind = 'forums.digest' and payload->>'day' = '2026-12-10'`.execute(db)
  await app.diContainer.cradle.jobs.runDue()
  t.equal((await mails(app, north.email)).length, 0, 'no second digest for the day')
  const next = await db.selectFrom('jobs').select(['run_at', 'payload']).where('kind', '=', 'forums.digest').where('done_at', 'is', null).execute()
  t.same(next.map((j) => [j.run_at, (j.payload as { day: string }).day]), [[new Date(Date.UTC(2026, 11, 10, 7, 0, 0)), '2026-12-10']], 'the next day’s is due')
  t.equal((await db.selectFrom('forum_digest_items').select('post_id').where('user_id', '=', north.admin.id).execute()).length, 1, 'the post waits for it')
})
