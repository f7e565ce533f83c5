import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator, idIn } from '../../fixtures/forums.ts'
import { businessHoursBefore } from '../../../core/lib/business-hours.ts'

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

t.test('a new member’s first post waits for approval: hidden from others, found by nobody, told to followers once approved', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_HELD_FIRST_POSTS: '1' })
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const newcomer = await signedIn(app, north)
  const other = await signedIn(app, south)
  const moderator = await signedIn(app, staff)
  await other.post(`/portal/forums/f/${lounge!.id}/follow`, { level: 'posts' })
  const mails = () => app.diContainer.cradle.db.selectFrom('mail_outbox').select('subject').where('to_address', '=', south.email).where('subject', 'like', 'New thread%').execute()

  const created = await newcomer.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'My very first question', body: 'Pelican question.' })
  const threadUrl = String(created.headers.location)
  t.match((await newcomer.get(threadUrl)).body, /waits for a moderator’s approval before others see it[\s\S]*Waiting for a moderator’s approval: only you and staff see it/)
  t.equal((await other.get(threadUrl)).statusCode, 404, 'another partner does not see a held thread')
  t.notMatch((await other.get(`/portal/forums/f/${lounge!.id}`)).body, /My very first question/)
  t.notMatch((await newcomer.get('/portal/forums/search?q=pelican')).body, /My very first question/, 'search skips held posts')
  t.equal((await mails()).length, 0, 'followers are not told yet')
  t.equal((await other.post(`${threadUrl}/replies`, { body: 'Sneaky' })).statusCode, 404)

  const queue = await moderator.get('/admin/forums/queue')
  t.match(queue.body, /Waiting for approval[\s\S]*My very first question #1/)
  const postId = /\/admin\/forums\/posts\/([0-9a-f-]{36})\/approve/.exec(queue.body)?.[1]
  t.equal((await moderator.post(`/admin/forums/posts/${postId}/approve`, {})).statusCode, 303)
  t.equal((await other.get(threadUrl)).statusCode, 200, 'shown once approved')
  t.equal((await mails()).length, 1, 'followers are told on approval')
  t.equal((await moderator.post(`/admin/forums/posts/${postId}/approve`, {})).statusCode, 409)

  const reply = await newcomer.post(`${threadUrl}/replies`, { body: 'A later post goes straight through.' })
  t.match(String(reply.headers.location), /from=2/)
  t.match((await other.get(`${threadUrl}?from=2`)).body, /A later post goes straight through/)
})

t.test('a posting limit per hour, and a mute for a period, each with a clear message', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_POSTS_PER_HOUR: '3' })
  const { clock } = app.diContainer.cradle
  let now = Date.UTC(2026, 11, 7, 10, 0, 0)
  clock.now = () => now
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const poster = await signedIn(app, north)
  const moderator = await signedIn(app, staff)
  const threadUrl = String((await poster.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'discussion', title: 'Busy thread', body: 'One' })).headers.location)
  await sql`update forum_posts set created_at = ${new Date(now).toISOString()}::timestamptz`.execute(app.diContainer.cradle.db)
  t.equal((await poster.post(`${threadUrl}/replies`, { body: 'Two' })).statusCode, 303)
  t.equal((await poster.post(`${threadUrl}/replies`, { body: 'Three' })).statusCode, 303)
  const limited = await poster.post(`${threadUrl}/replies`, { body: 'Four' })
  t.equal(limited.statusCode, 429)
  t.match(limited.body, /You can post 3 times an hour in the forums/)
  t.equal((await moderator.post(`/admin/forums/t/${idIn(threadUrl)}/replies`, { body: 'Staff have no limit.' })).statusCode, 303)
  now += 61 * 60_000
  t.equal((await poster.post(`${threadUrl}/replies`, { body: 'Four, later' })).statusCode, 303, 'an hour later they post again')

  const postId = /\/admin\/forums\/posts\/([0-9a-f-]{36})">Moderate/.exec((await moderator.get(`/admin/forums/t/${idIn(threadUrl)}`)).body)?.[1]
  t.match((await moderator.get(`/admin/forums/posts/${postId}`)).body, new RegExp(`href="/admin/forums/posts/${postId}/mute">Mute the author`), 'the post’s moderation page offers the mute')
  const bad = await moderator.post(`/admin/forums/posts/${postId}/mute`, { days: '0', reason: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Days must be a whole number from 1 to 365/)
  t.equal((await moderator.post(`/admin/forums/posts/${postId}/mute`, { days: '2', reason: 'Cooling off' })).statusCode, 303)
  t.match((await moderator.get('/admin/forums/queue')).body, /Muted[\s\S]*north Admin[\s\S]*Cooling off/)
  const muted = await poster.post(`${threadUrl}/replies`, { body: 'Hello?' })
  t.equal(muted.statusCode, 403)
  t.match(muted.body, /You cannot post in the forums until 9 Dec 2026, 11:01 UTC: Cooling off/)
  t.equal((await poster.get(threadUrl)).statusCode, 200, 'a muted person still reads')
  now += 2 * 86_400_000
  t.equal((await poster.post(`${threadUrl}/replies`, { body: 'Back again' })).statusCode, 303, 'the mute ends by itself')
  await moderator.post(`/admin/forums/posts/${postId}/mute`, { days: '5', reason: 'Again' })
  const userId = /\/admin\/forums\/people\/([0-9a-f-]{36})\/unmute/.exec((await moderator.get('/admin/forums/queue')).body)?.[1]
  t.equal((await moderator.post(`/admin/forums/people/${userId}/unmute`, {})).statusCode, 303)
  t.equal((await poster.post(`${threadUrl}/replies`, { body: 'Unmuted' })).statusCode, 303)
})

t.test('a question without an answer after the set business hours joins the queue', async (t) => {
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 13, 0), 3), new Date(Date.UTC(2026, 11, 7, 10, 0)), 'within a Monday')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 10, 0), 3), new Date(Date.UTC(2026, 11, 4, 15, 0)), 'back over the weekend to Friday')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 6, 20, 0), 8), new Date(Date.UTC(2026, 11, 4, 9, 0)), 'a Sunday counts for nothing')
  const { app } = await buildTestApp(t, { FORUM_UNANSWERED_BUSINESS_HOURS: '4' })
  const { clock, db } = app.diContainer.cradle
  let now = Date.UTC(2026, 11, 4, 15, 0)
  clock.now = () => now
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const asker = await signedIn(app, north)
  const moderator = await signedIn(app, staff)
  await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Friday afternoon question', body: 'Anyone?' })
  await sql`update forum_threads set created_at = ${new Date(now).toISOString()}::timestamptz`.execute(db)
  now = Date.UTC(2026, 11, 7, 9, 30)
  t.match((await moderator.get('/admin/forums/queue')).body, /Unanswered for over 4 business hours[\s\S]*No question has waited that long/, 'two hours and a half so far')
  now = Date.UTC(2026, 11, 7, 11, 30)
  t.match((await moderator.get('/admin/forums/queue')).body, /Unanswered for over 4 business hours[\s\S]*Friday afternoon question/)
})
