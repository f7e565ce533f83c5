import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator, idIn } from '../../fixtures/forums.ts'
import { hostileMarkdown, liveMarkup } from '../../fixtures/hostile-markdown.ts'
import { postsPerPage } from '../../../modules/forums/reading.service.ts'

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

/** Two partners and a moderator around one question in a Lounge (and an empty Archive forum). */
async function world(app: FastifyInstance) {
  const staff = await createModerator(app)
  const { forums: [lounge, archive] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }, { name: 'Archive' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const asker = await signedIn(app, north)
  const other = await signedIn(app, south)
  const moderator = await signedIn(app, staff)
  const threadId = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Margins on renewals', body: 'What margins do you get?' })).headers.location)
  await other.post(`/portal/forums/t/${threadId}/replies`, { body: 'Buy cheap watches at spam.example' })
  await other.post(`/portal/forums/t/${threadId}/replies`, { body: 'Twenty percent, in our case.' })
  const { db } = app.diContainer.cradle
  const posts = await db.selectFrom('forum_posts').select(['id', 'number']).where('thread_id', '=', threadId).orderBy('number').execute()
  return { staff, lounge: lounge!, archive: archive!, north, south, asker, other, moderator, threadId, postIds: posts.map((p) => p.id) }
}

t.test('a hidden post: its author and staff see it is hidden and why, others only that it was hidden, search never finds it', async (t) => {
  const { app } = await buildTestApp(t)
  const { asker, other, moderator, threadId, postIds } = await world(app)
  const spam = postIds[1]!
  const empty = await moderator.post(`/admin/forums/posts/${spam}/hide`, { reason: '' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Reason is required/)
  t.equal((await moderator.post(`/admin/forums/posts/${spam}/hide`, { reason: 'Advertising' })).statusCode, 303)

  const byAuthor = await other.get(`/portal/forums/t/${threadId}`)
  t.match(byAuthor.body, /Hidden by a moderator: Advertising\. Only you and staff see it\./)
  t.match(byAuthor.body, /Buy cheap watches/)
  const byOthers = await asker.get(`/portal/forums/t/${threadId}`)
  t.match(byOthers.body, /A moderator hid this post\./)
  t.notMatch(byOthers.body, /Buy cheap watches|Advertising/, 'neither the text nor the reason reach other readers')
  t.match((await moderator.get(`/admin/forums/t/${threadId}`)).body, /Hidden by a moderator: Advertising[\s\S]*Buy cheap watches/)
  t.notMatch((await asker.get('/portal/forums/search?q=watches')).body, new RegExp(threadId), 'search skips hidden posts')
  t.equal((await other.post(`/portal/forums/posts/${spam}/answer`, {})).statusCode, 403)
  t.equal((await asker.post(`/portal/forums/posts/${spam}/answer`, {})).statusCode, 409, 'a hidden post cannot be the answer')

  t.equal((await moderator.post(`/admin/forums/posts/${spam}/show`, {})).statusCode, 303)
  t.match((await asker.get(`/portal/forums/t/${threadId}`)).body, /Buy cheap watches/, 'shown again')
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select('action').where('entity_id', '=', spam).execute()
  t.same(audit.map((a) => a.action).sort(), ['forums.post-hidden', 'forums.post-shown'])
})

t.test('partners report a post once; staff hide it or keep it from the queue', async (t) => {
  const { app } = await buildTestApp(t)
  const { asker, other, moderator, threadId, postIds } = await world(app)
  t.match((await moderator.get('/admin/forums/queue')).body, /Nothing to review/)
  const noReason = await asker.post(`/portal/forums/posts/${postIds[1]}/report`, { reason: '' })
  t.equal(noReason.statusCode, 422)
  t.match(noReason.body, /Reason is required/)
  t.equal((await asker.post(`/portal/forums/posts/${postIds[1]}/report`, { reason: 'Spam' })).statusCode, 303)
  t.equal((await asker.post(`/portal/forums/posts/${postIds[1]}/report`, { reason: 'Spam again' })).statusCode, 303)
  t.equal((await other.post(`/portal/forums/posts/${postIds[1]}/report`, { reason: 'Mine' })).statusCode, 409, 'not your own post')
  t.equal((await asker.post(`/portal/forums/posts/${postIds[2]}/report`, { reason: 'Rude' })).statusCode, 303)
  const queue = await moderator.get('/admin/forums/queue')
  t.equal(queue.body.match(/\/dismiss"/g)?.length, 2, 'one open report per person and post')
  t.match(queue.body, /Margins on renewals #2[\s\S]*Spam[\s\S]*Margins on renewals #3[\s\S]*Rude/)

  await moderator.post(`/admin/forums/posts/${postIds[1]}/hide`, { reason: 'Advertising' })
  const reportId = /\/admin\/forums\/reports\/([0-9a-f-]{36})\/dismiss/.exec((await moderator.get('/admin/forums/queue')).body)?.[1]
  t.equal((await moderator.post(`/admin/forums/reports/${reportId}/dismiss`, {})).statusCode, 303)
  t.match((await moderator.get('/admin/forums/queue')).body, /Nothing to review/, 'hiding and keeping both settle the reports')
  t.match((await asker.get(`/portal/forums/t/${threadId}?from=3`)).body, /Twenty percent/, 'a kept post stays')
})

t.test('authors edit for 30 minutes, staff later; every earlier text is kept for staff', async (t) => {
  const { app } = await buildTestApp(t)
  const { clock } = app.diContainer.cradle
  let now = Date.UTC(2026, 11, 7, 12, 0, 0)
  clock.now = () => now
  const { other, asker, moderator, postIds } = await world(app)
  const reply = postIds[2]!
  t.equal((await asker.get(`/portal/forums/posts/${reply}/edit`)).statusCode, 403, 'not someone else’s post')
  now += 29 * 60_000
  t.equal((await other.get(`/portal/forums/posts/${reply}/edit`)).statusCode, 200)
  const blank = await other.post(`/portal/forums/posts/${reply}/edit`, { body: '' })
  t.equal(blank.statusCode, 422)
  t.match(blank.body, /Message is required/)
  t.equal((await other.post(`/portal/forums/posts/${reply}/edit`, { body: 'Twenty-two percent, in our case.' })).statusCode, 303)
  now += 2 * 60_000
  const late = await other.post(`/portal/forums/posts/${reply}/edit`, { body: 'Thirty.' })
  t.equal(late.statusCode, 403)
  t.match(late.body, /edited for 30 minutes/)
  t.equal((await moderator.post(`/admin/forums/posts/${reply}/edit`, { body: 'Twenty-two percent (edited by staff).' })).statusCode, 303)

  const thread = await asker.get(`/portal/forums/t/${(await app.diContainer.cradle.db.selectFrom('forum_posts').select('thread_id').where('id', '=', reply).executeTakeFirstOrThrow()).thread_id}?from=3`)
  t.match(thread.body, /Twenty-two percent \(edited by staff\)[\s\S]*/)
  t.match(thread.body, / · edited</, 'readers see that it was edited')
  t.notMatch(thread.body, /history/, 'but not its history')
  t.equal((await other.get(`/admin/forums/posts/${reply}/history`)).statusCode, 403)
  const history = await moderator.get(`/admin/forums/posts/${reply}/history`)
  t.match(history.body, /Twenty-two percent \(edited by staff\)[\s\S]*Before Mona Moderator’s edit[\s\S]*Twenty-two percent, in our case\.[\s\S]*Before south Admin’s edit[\s\S]*Twenty percent, in our case\./)
})

t.test('deleting: a replied-to post leaves "deleted", the last goes, the only one takes its thread', async (t) => {
  const { app } = await buildTestApp(t)
  const { asker, other, moderator, threadId, postIds, lounge } = await world(app)
  t.equal((await asker.post(`/portal/forums/posts/${postIds[1]}/delete`, {})).statusCode, 403, 'only your own')
  t.equal((await other.post(`/portal/forums/posts/${postIds[1]}/delete`, {})).statusCode, 303)
  const page = await asker.get(`/portal/forums/t/${threadId}`)
  t.match(page.body, /id="post-2"[\s\S]*This post was deleted\./)
  t.notMatch(page.body, /Buy cheap watches/)
  t.equal((await other.post(`/portal/forums/posts/${postIds[2]}/delete`, {})).statusCode, 303)
  t.notMatch((await asker.get(`/portal/forums/t/${threadId}`)).body, /id="post-3"/, 'the last post goes')
  const alone = idIn((await asker.post(`/portal/forums/f/${lounge.id}/threads`, { kind: 'discussion', title: 'Posted by mistake', body: 'Oops' })).headers.location)
  const onlyPost = /\/portal\/forums\/posts\/([0-9a-f-]{36})\/delete/.exec((await asker.get(`/portal/forums/t/${alone}`)).body)?.[1]
  t.equal((await asker.post(`/portal/forums/posts/${onlyPost}/delete`, {})).statusCode, 303)
  t.equal((await asker.get(`/portal/forums/t/${alone}`)).statusCode, 404, 'the thread went with its only post')
  t.match((await asker.get('/portal/forums')).body, /1 thread · 2 posts/, 'the forum’s figures follow')
  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select('action').where('action', '=', 'forums.post-deleted').execute()
  t.equal(audit.length, 0, 'deleting your own post is not a moderation')
  await moderator.post(`/admin/forums/posts/${postIds[0]}/delete`, {})
  t.equal((await app.diContainer.cradle.db.selectFrom('audit_log').select('action').where('action', '=', 'forums.post-deleted').execute()).length, 1, 'staff deleting is audited')
})

t.test('staff pin, close and move threads, mark answers, and see the questions still unanswered', async (t) => {
  const { app } = await buildTestApp(t)
  const { asker, moderator, threadId, postIds, lounge, archive } = await world(app)
  const later = idIn((await asker.post(`/portal/forums/f/${lounge.id}/threads`, { kind: 'discussion', title: 'A later chat', body: 'Hello' })).headers.location)
  t.match((await asker.get(`/portal/forums/f/${lounge.id}`)).body, /A later chat[\s\S]*Margins on renewals/, 'latest activity first')
  await moderator.post(`/admin/forums/t/${threadId}/moderate`, { action: 'pin' })
  t.match((await asker.get(`/portal/forums/f/${lounge.id}`)).body, /Margins on renewals[\s\S]*Pinned[\s\S]*A later chat/, 'pinned first')
  t.equal((await moderator.post(`/admin/forums/t/${threadId}/moderate`, { action: 'explode' })).statusCode, 422)

  t.match((await moderator.get('/admin/forums/unanswered')).body, /Margins on renewals/)
  t.equal((await moderator.post(`/admin/forums/posts/${postIds[0]}/answer`, {})).statusCode, 409, 'the question is not its own answer')
  t.equal((await moderator.post(`/admin/forums/posts/${postIds[2]}/answer`, {})).statusCode, 303, 'staff mark the answer')
  t.match((await moderator.get('/admin/forums/unanswered')).body, /Every question has its answer/)
  t.equal((await moderator.post(`/admin/forums/posts/${postIds[2]}/answer`, {})).statusCode, 303, 'and unmark it')
  t.match((await moderator.get('/admin/forums/unanswered')).body, /Margins on renewals/)

  await moderator.post(`/admin/forums/t/${later}/moderate`, { action: 'close' })
  t.equal((await asker.post(`/portal/forums/t/${later}/replies`, { body: 'Hello?' })).statusCode, 403, 'a closed thread takes no replies')
  t.equal((await moderator.post(`/admin/forums/t/${later}/move`, { forum_id: archive.id })).statusCode, 303)
  t.match((await asker.get(`/portal/forums/f/${archive.id}`)).body, /A later chat/)
  t.notMatch((await asker.get(`/portal/forums/f/${lounge.id}`)).body, /A later chat/)
  t.match((await asker.get('/portal/forums')).body, /Archive[\s\S]*1 thread · 1 post · last/)
})

t.test('whatever people write renders inert on the thread page', async (t) => {
  const { app } = await buildTestApp(t)
  const { other, asker, threadId } = await world(app)
  for (const source of hostileMarkdown) t.equal((await other.post(`/portal/forums/t/${threadId}/replies`, { body: source })).statusCode, 303)
  let html = ''
  for (let from = 1; from <= hostileMarkdown.length + 3; from += postsPerPage) html += (await asker.get(`/portal/forums/t/${threadId}?from=${from}`)).body
  const bodies = [...html.matchAll(/<div class="post-body kb-prose">([\s\S]*?)<\/div>\n/g)].map((m) => m[1]!)
  t.equal(bodies.length, hostileMarkdown.length + 3, 'every post rendered')
  for (const [i, body] of bodies.entries()) t.same(liveMarkup(body), [], `post ${i + 1} is inert`)
  t.notOk(html.includes('<script>alert'), 'no script anywhere on the page')
})
