import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner, createEmployee } from '../../fixtures/partners.ts'
import { adminPermissions } from '../../fixtures/permissions.ts'
import { createForums, createModerator, idIn } from '../../fixtures/forums.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { resolvedNote } from '../../../modules/forums/thread-cases.service.ts'

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

const postsOf = (app: FastifyInstance, threadId: string) => app.diContainer.cradle.db.selectFrom('forum_posts')
  .select(['number', 'body', 'staff', 'author_name']).where('thread_id', '=', threadId).orderBy('number').execute()

/** An app with a moderator, a forum "Lounge", and a partner's person signed in to ask in it. */
async function aLoungeWithAnAsker(t: Test) {
  const { app } = await buildTestApp(t)
  const { db, caseDesk, jobs } = app.diContainer.cradle
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  return { app, db, caseDesk, jobs, staff, lounge, north, asker: await signedIn(app, north), moderator: await signedIn(app, staff) }
}

t.test('staff turn an unanswered question into a case with one action; the reply that resolves it is posted back as the answer, never a note', async (t) => {
  const { app, db, caseDesk, jobs, staff, lounge, north, asker, moderator } = await aLoungeWithAnAsker(t)
  const threadId = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Renewal licence keys', body: 'Where do I find the **renewal** keys?' })).headers.location)
  const discussion = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'discussion', title: 'Hello everyone', body: 'Hi' })).headers.location)

  t.match((await moderator.get('/admin/forums/unanswered')).body, new RegExp(`action="/admin/forums/t/${threadId}/case"`), 'the unanswered list offers the action')
  const made = await moderator.post(`/admin/forums/t/${threadId}/case`, { back: 'unanswered' })
  t.equal(made.statusCode, 303)
  t.equal(made.headers.location, '/admin/forums/unanswered', 'back where staff were')
  const link = await db.selectFrom('forum_thread_cases').selectAll().where('thread_id', '=', threadId).executeTakeFirstOrThrow()
  const opened = await db.selectFrom('cases').selectAll().where('id', '=', link.case_id!).executeTakeFirstOrThrow()
  t.match(opened, { partner_id: north.partner.id, created_by: north.admin.id, subject: 'Renewal licence keys', type: 'question', status: 'new' }, 'opened on the asker’s behalf')
  t.match(opened.body, new RegExp(`Where do I find the \\*\\*renewal\\*\\* keys\\?[\\s\\S]*/portal/forums/t/${threadId}`), 'with the question and the way back to the thread')
  t.match((await asker.get(`/portal/cases/${opened.id}`)).body, /Renewal licence keys/, 'the asker sees their case')
  t.match((await moderator.get(`/admin/forums/t/${threadId}`)).body, new RegExp(`href="/admin/cases/${opened.id}"`), 'the thread links staff to its case')

  const again = await moderator.post(`/admin/forums/t/${threadId}/case`, {})
  t.match((await moderator.get(String(again.headers.location))).body, /This question is a support case already/)
  const notQuestion = await moderator.post(`/admin/forums/t/${discussion}/case`, {})
  t.match((await moderator.get(String(notQuestion.headers.location))).body, /Only a question can become a support case/)
  t.equal(Number((await db.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 1, 'no other case was opened')
  t.equal(await db.selectFrom('forum_thread_cases').select('thread_id').where('thread_id', '=', discussion).executeTakeFirst(), undefined)

  const desk = { id: staff.id, name: staff.name }
  await caseDesk.note(desk, opened.id, 'Internal: the customer is on the old plan.', undefined)
  await caseDesk.reply(desk, opened.id, { body: 'Which product do you mean?', next_status: 'waiting' }, undefined)
  await jobs.runDue()
  t.same((await postsOf(app, threadId)).map((p) => p.number), [1], 'a reply that does not resolve the case stays in the case')
  await caseDesk.reply(desk, opened.id, { body: 'Under **Licences › Renewals**, with the download button.', next_status: 'resolved' }, undefined)
  await jobs.runDue()
  await jobs.runDue()
  const posts = await postsOf(app, threadId)
  t.same(posts.map((p) => [p.number, p.body, p.staff, p.author_name]), [
    [1, 'Where do I find the **renewal** keys?', false, 'north Admin'],
    [2, 'Under **Licences › Renewals**, with the download button.', true, 'Mona Moderator']
  ], 'the resolving reply is posted once, as the staff member')
  const thread = await db.selectFrom('forum_threads').select(['answer_post_id']).where('id', '=', threadId).executeTakeFirstOrThrow()
  const answer = await db.selectFrom('forum_posts').select('id').where('thread_id', '=', threadId).where('number', '=', 2).executeTakeFirstOrThrow()
  t.equal(thread.answer_post_id, answer.id, 'and marked as the answer')
  const page = (await asker.get(`/portal/forums/t/${threadId}`)).body
  t.notMatch(page, /old plan/, 'an internal note never crosses')
  t.notMatch(page, /Which product/)
  t.notMatch((await moderator.get('/admin/forums/unanswered')).body, /Renewal licence keys/, 'it leaves the unanswered list')
})

t.test('a question whose asker may not open cases, or that is answered, does not become one', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, forumCases } = app.diContainer.cradle
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  await createEmployee(app, north.partner.id, 'nocases@north.example', { ...adminPermissions, cases: { scope: 'none', create: false, edit: false, delete: false } })
  const employee = await signedIn(app, { email: 'nocases@north.example', password: north.password })
  const threadId = idIn((await employee.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'A question without cases', body: 'Hm?' })).headers.location)
  const staffViewer = await viewerFor(app, staff.id)
  await t.rejects(forumCases.open(staffViewer, threadId), /nocases may not open support cases: answer in the thread instead/)
  t.equal(await db.selectFrom('forum_thread_cases').select('thread_id').executeTakeFirst(), undefined, 'the claim is let go')
  t.equal(Number((await db.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0)
  const asker = await signedIn(app, north)
  const answered = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Answered already', body: 'Q' })).headers.location)
  await employee.post(`/portal/forums/t/${answered}/replies`, { body: 'A' })
  const reply = await db.selectFrom('forum_posts').select('id').where('thread_id', '=', answered).where('number', '=', 2).executeTakeFirstOrThrow()
  await asker.post(`/portal/forums/posts/${reply.id}/answer`, {})
  await t.rejects(forumCases.open(staffViewer, answered), /has its answer already/)
  const partnerTry = await asker.post(`/admin/forums/t/${answered}/case`, {})
  t.not(partnerTry.statusCode, 303, 'partners may not call the staff action')
})

t.test('a case resolved by its status alone leaves a short note in the thread, once, with nothing of the case and no answer marked', async (t) => {
  const { app, db, caseDesk, jobs, staff, lounge, asker, moderator } = await aLoungeWithAnAsker(t)
  const threadId = idIn((await asker.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'question', title: 'Partner pricing sheet', body: 'Where is the pricing sheet?' })).headers.location)
  t.equal((await moderator.post(`/admin/forums/t/${threadId}/case`, {})).statusCode, 303)
  const { case_id: caseId } = await db.selectFrom('forum_thread_cases').select('case_id').where('thread_id', '=', threadId).executeTakeFirstOrThrow()
  const desk = { id: staff.id, name: staff.name }

  await caseDesk.reply(desk, caseId!, { body: 'Which region are you selling in?', next_status: 'waiting' }, undefined)
  await caseDesk.note(desk, caseId!, 'Internal: send them the EMEA sheet.', undefined)
  await caseDesk.setStatus(desk, caseId!, 'resolved')
  await jobs.runDue()
  await jobs.runDue()
  const posts = await postsOf(app, threadId)
  t.same(posts.map((p) => [p.number, p.body, p.staff, p.author_name]), [
    [1, 'Where is the pricing sheet?', false, 'north Admin'],
    [2, resolvedNote, true, 'Mona Moderator']
  ], 'the note is posted by the staff member who resolved it')
  const thread = await db.selectFrom('forum_threads').select('answer_post_id').where('id', '=', threadId).executeTakeFirstOrThrow()
  t.equal(thread.answer_post_id, null, 'a note is no answer: the question stays open for one')
  const page = (await asker.get(`/portal/forums/t/${threadId}`)).body
  t.match(page, /it is now resolved/)
  t.notMatch(page, /Which region|EMEA/, 'neither the staff’s question back nor the internal note crosses')
  t.notMatch(page, new RegExp(caseId!), 'nor a link to the case')

  await caseDesk.setStatus(desk, caseId!, 'open')
  await caseDesk.reply(desk, caseId!, { body: 'The sheet is under **Resources › Pricing**.', next_status: 'resolved' }, undefined)
  await jobs.runDue()
  await jobs.runDue()
  const after = await postsOf(app, threadId)
  t.same(after.map((p) => p.body), ['Where is the pricing sheet?', resolvedNote, 'The sheet is under **Resources › Pricing**.'],
    'resolved again with a reply: the reply is posted, and no second note')
  const answered = await db.selectFrom('forum_threads').select('answer_post_id').where('id', '=', threadId).executeTakeFirstOrThrow()
  const third = await db.selectFrom('forum_posts').select('id').where('thread_id', '=', threadId).where('number', '=', 3).executeTakeFirstOrThrow()
  t.equal(answered.answer_post_id, third.id, 'and it is the answer')
})
