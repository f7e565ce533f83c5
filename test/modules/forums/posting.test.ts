import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator, idIn } from '../../fixtures/forums.ts'

t.test('a partner starts a question, another replies with a quote, the asker marks the answer, votes count once', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const { forums: [practice] } = await createForums(app, staff, 'Community', [{ name: 'Best practice' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const asker = new Agent(app)
  await asker.signIn(north.email, north.password)
  const helper = new Agent(app)
  await helper.signIn(south.email, south.password)

  const home = await asker.get('/portal/forums')
  t.equal(home.statusCode, 200)
  t.match(home.body, /Community[\s\S]*Best practice/)

  const bad = await asker.post(`/portal/forums/f/${practice!.id}/threads`, { kind: 'question', title: 'Hi', body: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Title must be at least 5 characters/)
  t.match(bad.body, /Message is required/)

  const created = await asker.post(`/portal/forums/f/${practice!.id}/threads`, { kind: 'question', title: 'How do you price renewals?', body: 'We discount **10%**. <script>alert(1)</script>' })
  t.equal(created.statusCode, 303)
  const threadId = idIn(created.headers.location)
  t.ok(threadId, 'the thread has an address')

  const thread = await helper.get(`/portal/forums/t/${threadId}`)
  t.equal(thread.statusCode, 200)
  t.match(thread.body, /<strong>10%<\/strong>/)
  t.notMatch(thread.body, /<script>alert/, 'markup in a post is never markup')
  t.match(thread.body, /north Ltd/, 'the company is shown')

  const firstPost = /action="\/portal\/forums\/posts\/([0-9a-f-]{36})\/helpful"/.exec(thread.body)?.[1]
  const quoted = await helper.get(`/portal/forums/t/${threadId}?last&quote=${firstPost}`)
  t.match(quoted.body, /\*\*north Admin\*\* wrote:\n\n&gt; We discount/, 'quoting fills the reply with the post')

  const replied = await helper.post(`/portal/forums/t/${threadId}/replies`, { body: '> We discount\n\nWe bundle support instead.' })
  t.equal(replied.statusCode, 303)
  t.match(String(replied.headers.location), /from=2#post-2/)
  const replyId = /id="post-2"[\s\S]*?\/posts\/([0-9a-f-]{36})\/helpful/.exec((await asker.get(`/portal/forums/t/${threadId}`)).body)?.[1]
  t.ok(replyId)

  t.equal((await helper.post(`/portal/forums/posts/${replyId}/answer`, {})).statusCode, 403, 'only the asker or staff mark the answer')
  t.equal((await asker.post(`/portal/forums/posts/${replyId}/answer`, {})).statusCode, 303)
  const answered = await helper.get(`/portal/forums/t/${threadId}`)
  t.match(answered.body, /<h2 id="answer-title">The answer<\/h2>[\s\S]*We bundle support instead/, 'the answer is shown under the question')
  t.match((await asker.get(`/portal/forums/f/${practice!.id}`)).body, /Answered/)

  t.equal((await asker.post(`/portal/forums/posts/${replyId}/helpful`, { helpful: 'yes' })).statusCode, 303)
  t.equal((await asker.post(`/portal/forums/posts/${replyId}/helpful`, { helpful: 'yes' })).statusCode, 303)
  t.match((await asker.get(`/portal/forums/t/${threadId}?from=2`)).body, /1 found this helpful/, 'one vote per person')
  t.equal((await helper.post(`/portal/forums/posts/${replyId}/helpful`, { helpful: 'yes' })).statusCode, 409, 'not for your own post')
})

t.test('a post that shows, a held one once approved, and an accepted answer are domain events, in order per thread', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_HELD_FIRST_POSTS: '1' })
  const { events, jobs } = app.diContainer.cradle
  const seen: string[] = []
  for (const name of ['forum.thread-created', 'forum.post-created', 'forum.answer-accepted'] as const) {
    events.subscribe(name, 'test', async (event) => { seen.push(`${event.name} #${'number' in event.payload ? event.payload.number : '-'}`) })
  }
  const staff = await createModerator(app)
  const { forums: [practice] } = await createForums(app, staff, 'Community', [{ name: 'Best practice' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const asker = new Agent(app)
  await asker.signIn(north.email, north.password)
  const helper = new Agent(app)
  await helper.signIn(south.email, south.password)
  const moderator = new Agent(app)
  await moderator.signIn(staff.email, staff.password)
  const approveAll = async () => {
    for (const id of [...(await moderator.get('/admin/forums/queue')).body.matchAll(/\/admin\/forums\/posts\/([0-9a-f-]{36})\/approve/g)].map((m) => m[1])) {
      await moderator.post(`/admin/forums/posts/${id}/approve`, {})
    }
  }

  const threadId = idIn((await asker.post(`/portal/forums/f/${practice!.id}/threads`, { kind: 'question', title: 'Events question', body: 'Held first' })).headers.location)
  await jobs.runDue()
  t.same(seen, [], 'nothing while held')
  await approveAll()
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'Held reply' })
  await approveAll()
  await helper.post(`/portal/forums/t/${threadId}/replies`, { body: 'Straight through' })
  const replyId = /id="post-2"[\s\S]*?\/posts\/([0-9a-f-]{36})\/answer/.exec((await asker.get(`/portal/forums/t/${threadId}`)).body)?.[1]
  await asker.post(`/portal/forums/posts/${replyId}/answer`, {})
  await jobs.runDue()
  t.same(seen, ['forum.thread-created #-', 'forum.post-created #2', 'forum.post-created #3', 'forum.answer-accepted #-'])
})
