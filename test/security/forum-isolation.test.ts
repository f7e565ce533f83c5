import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../helper.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { createForums, createModerator, type ForumSpec } from '../fixtures/forums.ts'
import { systemActor } from '../../core/data/audit/audit.service.ts'
import { ApiClient, issueKey } from '../fixtures/api.ts'
import { fingerprint } from './isolation.ts'

/**
 * A reader outside a forum's audience never meets it or its threads and posts: not by address
 * (404), not listed, not counted, not searched. Who may post is enforced on every write route.
 * The routes come from the app, so a forum route added later is tried here too.
 */
type Key = 'public' | 'partners' | 'silverUp' | 'gold' | 'company' | 'announcements'
const words: Record<Key, string> = { public: 'aardvark', partners: 'walrus', silverUp: 'pangolin', gold: 'zanzibar', company: 'quokka', announcements: 'narwhal' }

async function world(app: FastifyInstance) {
  const { partners, db, forumPosting } = app.diContainer.cradle
  const silverLevel = await partners.saveLevel(systemActor, null, { name: 'Silver', rank: 2, benefits: 'Leads' })
  const goldLevel = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: 'More leads' })
  const silver = await createActivePartner(app, 'silver')
  const gold = await createActivePartner(app, 'gold')
  const rival = await createActivePartner(app, 'rival')
  await sql`update partners set level_id = ${goldLevel.id} where id in (${gold.partner.id}, ${rival.partner.id})`.execute(db)
  await sql`update partners set level_id = ${silverLevel.id} where id = ${silver.partner.id}`.execute(db)
  const staff = await createModerator(app)
  const specs: Record<Key, ForumSpec> = {
    public: { name: 'Public square', audience: 'public' },
    partners: { name: 'Partner lounge', audience: 'partners', allowHiddenCompany: true },
    silverUp: { name: 'Silver desk', audience: 'levels', levelId: silverLevel.id },
    gold: { name: 'Gold circle', audience: 'levels', levelId: goldLevel.id },
    company: { name: 'Gold company room', audience: 'companies', partnerIds: [gold.partner.id] },
    announcements: { name: 'Announcements', audience: 'partners', posting: 'staff' }
  }
  const keys = Object.keys(specs) as Key[]
  const { forums } = await createForums(app, staff, 'Everything', keys.map((k) => specs[k]))
  const staffWho = { viewer: { ...staff, kind: 'staff' as const, role: 'member' as const, partnerId: null, partnerStatus: null, permissions: {} as never, sessionVersion: 1 }, reader: { kind: 'staff' as const } }
  const entries = {} as Record<Key, { forumId: string; threadId: string; postId: string; title: string; forumName: string }>
  for (const [i, key] of keys.entries()) {
    const thread = await forumPosting.createThread(staffWho, forums[i]!.id, { kind: 'question', title: `Thread about ${words[key]}`, body: `The ${words[key]} question.`, hide_company: false })
    const post = await forumPosting.reply(staffWho, thread.id, { body: `A ${words[key]} reply.`, hide_company: false })
    const postId = (await db.selectFrom('forum_posts').select('id').where('thread_id', '=', thread.id).where('number', '=', post.number).executeTakeFirstOrThrow()).id
    entries[key] = { forumId: forums[i]!.id, threadId: thread.id, postId, title: `Thread about ${words[key]}`, forumName: specs[key].name }
  }
  return { silver, gold, rival, staff, entries, keys }
}

const signedIn = async (app: FastifyInstance, who: { email: string; password: string }) => {
  const agent = new Agent(app)
  await agent.signIn(who.email, who.password)
  return agent
}

t.test('each reader reads exactly their forums, everywhere', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, gold, rival, entries, keys } = await world(app)
  const readers: Array<{ name: string; agent: Agent; base: string; may: Key[] }> = [
    { name: 'visitor', agent: new Agent(app), base: '/forums', may: ['public'] },
    { name: 'Gold partner on /forums', agent: await signedIn(app, gold), base: '/forums', may: ['public'] },
    { name: 'Silver partner', agent: await signedIn(app, silver), base: '/portal/forums', may: ['public', 'partners', 'silverUp', 'announcements'] },
    { name: 'Gold partner of another company', agent: await signedIn(app, rival), base: '/portal/forums', may: ['public', 'partners', 'silverUp', 'gold', 'announcements'] },
    { name: 'the chosen Gold company', agent: await signedIn(app, gold), base: '/portal/forums', may: keys }
  ]
  const idRoutes = app.routeCatalog.filter((r) => r.url.includes(':id') && (r.url.startsWith('/portal/forums') || r.url.startsWith('/forums')))
  t.ok(idRoutes.length >= 10, 'the forum routes are enumerated')

  for (const reader of readers) {
    const forbidden = keys.filter((k) => !reader.may.includes(k))
    for (const key of keys) {
      const e = entries[key]
      const allowed = reader.may.includes(key)
      t.equal((await reader.agent.get(`${reader.base}/f/${e.forumId}`)).statusCode, allowed ? 200 : 404, `${reader.name}: forum ${e.forumName}`)
      t.equal((await reader.agent.get(`${reader.base}/t/${e.threadId}`)).statusCode, allowed ? 200 : 404, `${reader.name}: ${e.title}`)
      const search = await reader.agent.get(`${reader.base}/search?q=${words[key]}`)
      t.equal(search.body.includes(`/t/${e.threadId}`), allowed, `${reader.name}: ${e.title} ${allowed ? 'found' : 'not found'} by its words`)
    }
    const home = await reader.agent.get(reader.base)
    const everything = await reader.agent.get(`${reader.base}/search?q=question`)
    for (const key of forbidden) {
      for (const page of [home, everything]) {
        t.notOk(page.body.includes(entries[key].forumName) || page.body.includes(words[key]), `${reader.name}: ${entries[key].forumName} is absent from lists and search`)
      }
    }
    const before = await fingerprint(app)
    for (const key of forbidden) {
      for (const route of idRoutes.filter((r) => r.url.startsWith(reader.base))) {
        for (const id of [entries[key].forumId, entries[key].threadId, entries[key].postId]) {
          const url = route.url.replace(':id', id)
          const res = route.method === 'GET' ? await reader.agent.get(url) : await reader.agent.post(url, { body: 'Sneaky words', title: 'Sneaky title', kind: 'discussion', reason: 'spam', level: 'posts', following: 'yes', helpful: 'yes' })
          t.ok([404, 401, 403].includes(res.statusCode) || (res.statusCode === 303 && reader.base === '/forums'), `${reader.name}: ${route.method} ${url} → ${res.statusCode}`)
        }
      }
    }
    t.same(await fingerprint(app), before, `${reader.name}: nothing changed`)
  }
})

t.test('partners post only where the forum lets them, and never in a locked thread', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, staff, entries } = await world(app)
  const agent = await signedIn(app, silver)
  const announcement = await agent.get(`/portal/forums/f/${entries.announcements.forumId}`)
  t.notMatch(announcement.body, />New thread</, 'no new-thread button in a staff-only forum')
  t.notMatch((await agent.get(`/portal/forums/t/${entries.announcements.threadId}`)).body, /id="reply"/, 'no reply form either')
  const before = await fingerprint(app)
  t.equal((await agent.post(`/portal/forums/f/${entries.announcements.forumId}/threads`, { kind: 'discussion', title: 'Can I post here?', body: 'Hello' })).statusCode, 403)
  t.equal((await agent.post(`/portal/forums/t/${entries.announcements.threadId}/replies`, { body: 'Me too' })).statusCode, 403)
  t.same(await fingerprint(app), before, 'nothing changed')

  const moderator = await signedIn(app, staff)
  t.equal((await moderator.post(`/admin/forums/t/${entries.partners.threadId}/moderate`, { action: 'lock' })).statusCode, 303)
  const locked = await agent.get(`/portal/forums/t/${entries.partners.threadId}`)
  t.match(locked.body, /This thread is locked: no more replies/)
  t.equal((await agent.post(`/portal/forums/t/${entries.partners.threadId}/replies`, { body: 'Still here' })).statusCode, 403, 'a lock stops replies')
  t.equal((await moderator.post(`/admin/forums/t/${entries.partners.threadId}/replies`, { body: 'Staff may still answer.' })).statusCode, 303)
})

t.test('visitors reach no partner forum route, partners no staff one, and nothing changes', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, entries } = await world(app)
  const partner = await signedIn(app, silver)
  const visitor = new Agent(app)
  const before = await fingerprint(app)
  for (const route of app.routeCatalog.filter((r) => r.url.startsWith('/portal/forums'))) {
    const url = route.url.replace(':id', entries.partners.threadId)
    const res = route.method === 'GET' ? await visitor.get(url) : await visitor.post(url, { body: 'x', reason: 'x' })
    t.ok([303, 401, 403].includes(res.statusCode), `visitor ${route.method} ${url}: ${res.statusCode}`)
  }
  for (const route of app.routeCatalog.filter((r) => r.url.startsWith('/admin/forums'))) {
    const url = route.url.replace(':id', entries.partners.postId)
    const res = route.method === 'GET' ? await partner.get(url) : await partner.post(url, { body: 'x', reason: 'x', action: 'lock' })
    t.equal(res.statusCode, 403, `partner ${route.method} ${url}`)
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})

t.test('a hidden company never appears to another partner; its own colleagues and staff see it', async (t) => {
  const { app } = await buildTestApp(t)
  const { gold, rival, staff, entries } = await world(app)
  await createEmployee(app, gold.partner.id, 'colleague@gold.example')
  const author = await signedIn(app, gold)
  const posted = await author.post(`/portal/forums/f/${entries.partners.forumId}/threads`, { kind: 'question', title: 'Pricing against a rival', body: 'How do you price?', hide_company: 'on' })
  t.equal(posted.statusCode, 303)
  const threadUrl = String(posted.headers.location)
  await author.post(`${threadUrl}/replies`, { body: 'And a follow-up.', hide_company: 'on' })

  const other = await signedIn(app, rival)
  for (const url of [threadUrl, `/portal/forums/f/${entries.partners.forumId}`, '/portal/forums/search?q=price', `${threadUrl}?last`]) {
    const res = await other.get(url)
    t.equal(res.statusCode, 200)
    t.notOk(res.body.includes('gold Ltd'), `another partner does not see the company on ${url}`)
  }
  t.match((await other.get(threadUrl)).body, /gold Admin/, 'the person is still named')
  const colleague = await signedIn(app, { email: 'colleague@gold.example', password: partnerPassword })
  t.match((await colleague.get(threadUrl)).body, /gold Ltd/, 'a colleague sees their own company')
  const moderator = await signedIn(app, staff)
  t.match((await moderator.get(threadUrl.replace('/portal/', '/admin/'))).body, /gold Ltd \(hidden from other partners\)/, 'staff see who wrote it')
  const noHiding = await author.post(`/portal/forums/f/${entries.silverUp.forumId}/threads`, { kind: 'discussion', title: 'Where hiding is off', body: 'Hello', hide_company: 'on' })
  t.match((await other.get(String(noHiding.headers.location))).body, /gold Ltd/, 'a forum that does not allow hiding shows the company')
})

t.test('through the API too, each key reads and writes only within its issuer’s forums', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, gold, rival, entries, keys } = await world(app)
  const routes = app.routeCatalog.filter((r) => /^\/api\/v1\/(forums|threads)/.test(r.url))
  t.ok(routes.filter((r) => r.url.includes(':id')).length >= 4, 'the forum API routes are enumerated')
  const readers: Array<{ name: string; api: ApiClient; may: Key[] }> = [
    { name: 'Silver partner', api: new ApiClient(app, (await issueKey(app, silver.admin)).token), may: ['public', 'partners', 'silverUp', 'announcements'] },
    { name: 'Gold partner of another company', api: new ApiClient(app, (await issueKey(app, rival.admin)).token), may: ['public', 'partners', 'silverUp', 'gold', 'announcements'] },
    { name: 'the chosen Gold company', api: new ApiClient(app, (await issueKey(app, gold.admin)).token), may: keys }
  ]
  for (const reader of readers) {
    const list = await reader.api.get('/api/v1/forums')
    for (const key of keys) t.equal(list.body.includes(entries[key].forumName), reader.may.includes(key), `${reader.name}: ${entries[key].forumName} listed or not`)
    const before = await fingerprint(app)
    for (const key of keys.filter((k) => !reader.may.includes(k))) {
      for (const route of routes.filter((r) => r.url.includes(':id'))) {
        for (const id of [entries[key].forumId, entries[key].threadId]) {
          const url = route.url.replace(':id', id)
          const res = await reader.api.request(route.method as 'GET', url, route.method === 'GET' ? undefined : route.url.startsWith('/api/v1/threads') ? { body: 'Sneaky words' } : { kind: 'discussion', title: 'Sneaky title', body: 'Sneaky words' })
          t.equal(res.statusCode, 404, `${reader.name}: ${route.method} ${url}`)
        }
      }
    }
    t.same(await fingerprint(app), before, `${reader.name}: nothing changed`)
  }
  const silverApi = readers[0]!.api
  t.equal((await silverApi.post(`/api/v1/forums/${entries.announcements.forumId}/threads`, { kind: 'discussion', title: 'Posting where I may not', body: 'x' })).statusCode, 403)
  t.equal((await silverApi.post(`/api/v1/threads/${entries.announcements.threadId}/posts`, { body: 'x' })).statusCode, 403)
})
