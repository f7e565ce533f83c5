import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { createForums, createModerator } from '../../fixtures/forums.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

t.test('a long thread pages by post number; unread markers and "first unread" follow each person', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_POSTS_PER_HOUR: '0' })
  const { forumPosting, knowledgeReaders, db } = app.diContainer.cradle
  const staff = await createModerator(app)
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }])
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const reader = await signedIn(app, north)
  const southUser = await db.selectFrom('users').selectAll().where('id', '=', south.admin.id).executeTakeFirstOrThrow()
  const viewer = { id: southUser.id, email: southUser.email, name: southUser.name, kind: 'partner' as const, role: 'admin' as const, partnerId: south.partner.id, partnerStatus: 'active', permissions: {} as never, sessionVersion: 1 }
  const who = { viewer, reader: await knowledgeReaders.of(viewer) }
  const thread = await forumPosting.createThread(who, lounge!.id, { kind: 'discussion', title: 'A long conversation', body: 'Post number 1.', hide_company: false })
  for (let i = 2; i <= 46; i++) await forumPosting.reply(who, thread.id, { body: `Post number ${i}.`, hide_company: false })

  t.match((await reader.get('/portal/forums')).body, /Lounge<\/a> <span class="badge">1 unread/, 'the forum shows an unread thread')
  t.match((await reader.get(`/portal/forums/f/${lounge!.id}`)).body, /unread-dot[\s\S]*\?unread">A long conversation<\/a><span class="visually-hidden"> \(new posts\)/, 'an unread thread leads to its first unread post')

  const first = await reader.get(`/portal/forums/t/${thread.id}`)
  t.match(first.body, /Post number 1\.[\s\S]*Post number 10\./)
  t.notMatch(first.body, /Post number 11\./)
  t.match(first.body, /href="\/portal\/forums\/t\/[^"]+\?from=11">Later posts/)
  const unread = await reader.get(`/portal/forums/t/${thread.id}?unread`)
  t.match(unread.body, /id="post-11"/, 'the first unread post is where reading goes on')
  t.notMatch(unread.body, /id="post-10"/)
  const last = await reader.get(`/portal/forums/t/${thread.id}?last`)
  t.match(last.body, /id="post-37"[\s\S]*id="post-46"/, 'the last page holds the last posts')
  t.notMatch(last.body, /id="post-36"/)
  t.match(last.body, /Earlier posts/)
  t.notMatch(last.body, /Later posts/)
  t.notMatch((await reader.get('/portal/forums')).body, /1 unread/, 'read to the end: nothing unread')

  await forumPosting.reply(who, thread.id, { body: 'Post number 47.', hide_company: false })
  const page = await reader.get(`/portal/forums/t/${thread.id}`)
  t.match(page.body, /Jump to the first unread post \(#47\)/)
  t.match((await reader.get(`/portal/forums/t/${thread.id}?unread`)).body, /id="post-47"/)
  t.equal((await reader.get(`/portal/forums/t/${thread.id}?from=not-a-number`)).statusCode, 200, 'a bad page number reads from the start')
})

t.test('a forum’s threads page by latest activity; visitors read public forums but never write', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_POSTS_PER_HOUR: '0' })
  const staff = await createModerator(app)
  const { forums: [square] } = await createForums(app, staff, 'Community', [{ name: 'Square', audience: 'public' }])
  const north = await createActivePartner(app, 'north')
  const partner = await signedIn(app, north)
  for (let i = 1; i <= 27; i++) await partner.post(`/portal/forums/f/${square!.id}/threads`, { kind: 'discussion', title: `Topic number ${i}`, body: `Words ${i}` })
  const first = await partner.get(`/portal/forums/f/${square!.id}`)
  t.match(first.body, /Topic number 27[\s\S]*Topic number 3</)
  t.notMatch(first.body, /Topic number 2</)
  const older = /href="(\/portal\/forums\/f\/[^"]+\?after=[^"]+)">Older threads/.exec(first.body)?.[1]
  t.ok(older, 'a link to older threads')
  const second = await partner.get(older!.replace(/&amp;/g, '&'))
  t.match(second.body, /Topic number 2<[\s\S]*Topic number 1</)
  t.notMatch(second.body, /Topic number 3</)
  t.equal((await partner.get(`/portal/forums/f/${square!.id}?after=garbage`)).statusCode, 200, 'a tampered cursor starts from the top')

  const visitor = new Agent(app)
  const open = await visitor.get(`/forums/f/${square!.id}`)
  t.equal(open.statusCode, 200)
  t.notMatch(open.body, />New thread</)
  const threadUrl = /href="(\/forums\/t\/[0-9a-f-]{36})"/.exec(open.body)?.[1]
  const thread = await visitor.get(threadUrl!)
  t.match(thread.body, /Sign in<\/a> as a partner to take part/)
  t.notMatch(thread.body, /id="reply"/)
  t.notOk(app.routeCatalog.some((r) => r.url.startsWith('/forums/') && r.method === 'POST' && r.url !== '/forums/unfollow'), 'the public pages have no write route but the stop-following link')
})

t.test('a link to a thread shows its title to those who may read it, and points to the reader’s own pages', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const { forums: [lounge, room] } = await createForums(app, staff, 'Community', [{ name: 'Lounge' }, { name: 'South room', audience: 'companies', partnerIds: [south.partner.id] }])
  const northAgent = await signedIn(app, north)
  const southAgent = await signedIn(app, south)
  const open = String((await northAgent.post(`/portal/forums/f/${lounge!.id}/threads`, { kind: 'discussion', title: 'Open pricing notes', body: 'Notes' })).headers.location)
  const secret = String((await southAgent.post(`/portal/forums/f/${room!.id}/threads`, { kind: 'discussion', title: 'South strategy', body: 'Ours' })).headers.location)
  const linking = String((await southAgent.post(`/portal/forums/f/${lounge!.id}/threads`, {
    kind: 'discussion', title: 'See also', body: `Read [](/forums/t/${open.split('/').pop()}) and [](${secret}), or [my words](/admin/forums/t/${open.split('/').pop()}?from=1).`
  })).headers.location)
  const asNorth = (await northAgent.get(linking)).body
  t.match(asNorth, new RegExp(`<a href="/portal/forums/t/${open.split('/').pop()}">Open pricing notes</a>`), 'a bare link shows the title, in the reader’s area')
  t.match(asNorth, new RegExp(`<a href="${secret}"></a>`), 'a thread the reader may not read lends no title')
  t.notMatch(asNorth, /South strategy/)
  t.match(asNorth, new RegExp(`<a href="/portal/forums/t/${open.split('/').pop()}\\?from=1">my words</a>`), 'the author’s own words stay')
  t.match((await southAgent.get(linking)).body, />South strategy<\/a>/, 'its own company sees it')
})

t.test('a link to a knowledge article shows its title to those who may read it, and points to their own knowledge pages', async (t) => {
  const { app } = await buildTestApp(t)
  const staff = await createModerator(app)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const writers = await createStaffPair(app)
  const guides = await createCategory(app, writers.author, 'Guides')
  const open = await createArticle(app, writers, guides.id, { title: 'Pricing handbook', audience: 'public' })
  const secret = await createArticle(app, writers, guides.id, { title: 'South playbook', audience: 'companies', partnerIds: [south.partner.id] })
  const { forums: [lounge] } = await createForums(app, staff, 'Community', [{ name: 'Lounge', audience: 'public' }])
  const southAgent = await signedIn(app, south)
  const linking = String((await southAgent.post(`/portal/forums/f/${lounge!.id}/threads`, {
    kind: 'discussion', title: 'Reading list', body: `See [](/kb/articles/${open.slug}), <https://portal.example/x> and /portal/knowledge/articles/${secret.slug} as [](/portal/knowledge/articles/${secret.slug}).`
  })).headers.location)
  const asNorth = (await (await signedIn(app, north)).get(linking)).body
  t.match(asNorth, new RegExp(`<a href="/portal/knowledge/articles/${open.slug}">Pricing handbook</a>`), 'a bare link shows the article’s title, in the reader’s area')
  t.match(asNorth, new RegExp(`<a href="/portal/knowledge/articles/${secret.slug}"></a>`), 'an article the reader may not read lends no title')
  t.notMatch(asNorth, /South playbook/)
  t.match((await southAgent.get(linking)).body, />South playbook<\/a>/, 'its audience sees it')
  const threadId = linking.split('/').pop()
  t.match((await app.inject(`/forums/t/${threadId}`)).body, new RegExp(`<a href="/kb/articles/${open.slug}">Pricing handbook</a>`), 'a visitor’s link points to the public knowledge base')
  const staffAgent = await signedIn(app, staff)
  t.match((await staffAgent.get(`/admin/forums/t/${threadId}`)).body, new RegExp(`<a href="/admin/knowledge/by-address/articles/${secret.slug}">South playbook</a>`), 'staff see every title')
})
