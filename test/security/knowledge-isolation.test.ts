import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../helper.ts'
import { createArticle, createCategory, createStaffPair, type ArticleSpec } from '../fixtures/knowledge.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { systemActor } from '../../core/data/audit/audit.service.ts'
import { fill, fingerprint } from './isolation.ts'

/**
 * A reader outside an article's audience never meets it: not by address (404), not in lists,
 * counts, search results, snippets, related links or the title of a link to it. The routes come
 * from the app, so a knowledge route added later is tried here too.
 */
async function world(app: FastifyInstance) {
  const { partners } = app.diContainer.cradle
  const silverLevel = await partners.saveLevel(systemActor, null, { name: 'Silver', rank: 2, benefits: 'Leads' })
  const goldLevel = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 3, benefits: 'More leads' })
  const silver = await createActivePartner(app, 'silver')
  const gold = await createActivePartner(app, 'gold')
  const rival = await createActivePartner(app, 'rival')
  const { db } = app.diContainer.cradle
  await sql`update partners set level_id = ${goldLevel.id} where id in (${gold.partner.id}, ${rival.partner.id})`.execute(db)
  await sql`update partners set level_id = ${silverLevel.id} where id = ${silver.partner.id}`.execute(db)

  const staff = await createStaffPair(app)
  const guides = await createCategory(app, staff.author, 'Guides')
  const secrets = await createCategory(app, staff.author, 'Secrets')
  const article = (title: string, spec: Omit<ArticleSpec, 'title'>, category = guides.id) => createArticle(app, staff, category, { ...spec, title })
  const articles = {
    public: await article('Public price list', { audience: 'public', tags: 'shared', body: 'Prices for everyone. See [](/kb/articles/gold-marketing-plan) and [](/kb/articles/gold-company-playbook).' }),
    partners: await article('Partner onboarding', { audience: 'partners', tags: 'shared', body: 'Onboarding for every partner, walrus.' }),
    silverUp: await article('Silver deal desk', { audience: 'levels', levelId: silverLevel.id, tags: 'shared', body: 'Silver and above: the pangolin desk.' }),
    gold: await article('Gold marketing plan', { audience: 'levels', levelId: goldLevel.id, tags: 'shared', body: 'Gold only: the zanzibar campaign.' }, secrets.id),
    company: await article('Gold company playbook', { audience: 'companies', partnerIds: [gold.partner.id], tags: 'shared', body: 'For one company: the quokka plan.' }, secrets.id),
    draft: await article('Draft roadmap', { audience: 'public', tags: 'shared', body: 'Not yet: the narwhal roadmap.', publish: false })
  }
  const attachments = Object.fromEntries(await Promise.all((Object.keys(articles) as Key[]).map(async (key) =>
    [key, await app.diContainer.cradle.knowledgeAttachments.add(staff.author, articles[key].id, { name: `${key}.txt`, type: 'text/plain', data: Buffer.from(`the ${key} file`) })]))) as Record<Key, { id: string }>
  return { silver, gold, rival, articles, attachments, secrets }
}

type Key = 'public' | 'partners' | 'silverUp' | 'gold' | 'company' | 'draft'
const words: Record<Key, string> = { public: 'prices', partners: 'walrus', silverUp: 'pangolin', gold: 'zanzibar', company: 'quokka', draft: 'narwhal' }

t.test('each reader reads exactly their audience, everywhere', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, gold, rival, articles, attachments, secrets } = await world(app)
  const signedIn = async (who: { email: string; password: string }) => {
    const agent = new Agent(app)
    await agent.signIn(who.email, who.password)
    return agent
  }
  const readers: Array<{ name: string; agent: Agent; base: string; may: Key[] }> = [
    { name: 'visitor', agent: new Agent(app), base: '/kb', may: ['public'] },
    { name: 'Gold partner on /kb', agent: await signedIn(gold), base: '/kb', may: ['public'] },
    { name: 'Silver partner', agent: await signedIn(silver), base: '/portal/knowledge', may: ['public', 'partners', 'silverUp'] },
    { name: 'Gold partner of another company', agent: await signedIn(rival), base: '/portal/knowledge', may: ['public', 'partners', 'silverUp', 'gold'] },
    { name: 'the chosen Gold company', agent: await signedIn(gold), base: '/portal/knowledge', may: ['public', 'partners', 'silverUp', 'gold', 'company'] }
  ]
  const slugRoutes = app.routeCatalog.filter((r) => r.url.includes(':slug'))
  t.ok(slugRoutes.length >= 3, 'the article routes are enumerated')
  const fileRoutes = app.routeCatalog.filter((r) => r.method === 'GET' && /\/files\/:id$/.test(r.url))
  t.ok(fileRoutes.length >= 2, 'the attachment routes are enumerated')

  for (const reader of readers) {
    const forbidden = (Object.keys(articles) as Key[]).filter((k) => !reader.may.includes(k))
    const pages = [reader.base, `${reader.base}/search?q=shared`, `${reader.base}/categories/${secrets.id}`]
    for (const key of Object.keys(articles) as Key[]) {
      const a = articles[key]
      const allowed = reader.may.includes(key)
      const res = await reader.agent.get(`${reader.base}/articles/${a.slug}`)
      t.equal(res.statusCode, allowed ? 200 : 404, `${reader.name}: ${a.title} by address`)
      const search = await reader.agent.get(`${reader.base}/search?q=${words[key]}`)
      t.equal(new RegExp(`/articles/${a.slug}[?"]`).test(search.body), allowed, `${reader.name}: ${a.title} ${allowed ? 'found' : 'not found'} by its own words`)
      if (!allowed) t.notOk(search.body.includes(`<mark>${words[key]}</mark>`), `${reader.name}: no snippet of ${a.title}`)
    }
    for (const url of pages) {
      const res = await reader.agent.get(url)
      for (const key of forbidden) t.notOk(res.body.includes(articles[key].title), `${reader.name}: ${url} does not show ${articles[key].title}`)
    }
    for (const key of forbidden) {
      for (const route of slugRoutes.filter((r) => r.url.startsWith(reader.base))) {
        const url = route.url.replace(':slug', articles[key].slug)
        const res = route.method === 'GET' ? await reader.agent.get(url) : await reader.agent.post(url, { helpful: 'yes' })
        t.ok([404, 401, 403].includes(res.statusCode) || (res.statusCode === 303 && !reader.base.startsWith('/portal')), `${reader.name}: ${route.method} ${url} → ${res.statusCode}`)
      }
    }
    for (const route of fileRoutes.filter((r) => r.url.startsWith(`${reader.base}/`))) {
      for (const key of Object.keys(articles) as Key[]) {
        const res = await reader.agent.get(route.url.replace(':id', attachments[key].id))
        t.equal(res.statusCode, reader.may.includes(key) ? 200 : 404, `${reader.name}: ${articles[key].title}'s attachment by address`)
        if (!reader.may.includes(key)) t.notOk(res.body.includes(`the ${key} file`))
      }
    }
    const home = await reader.agent.get(reader.base)
    const count = reader.may.filter((k) => k !== 'draft' && ['public', 'partners', 'silverUp'].includes(k)).length
    t.match(home.body, new RegExp(`>Guides</a> <span class="muted small">\\(${count}\\)`), `${reader.name}: Guides counts only what they read`)
    const secretCount = reader.may.filter((k) => k === 'gold' || k === 'company').length
    if (secretCount === 0) {
      t.notMatch(home.body, />Secrets</, `${reader.name}: a category with nothing for them is not shown`)
      t.equal((await reader.agent.get(`${reader.base}/categories/${secrets.id}`)).statusCode, 404)
    } else t.match(home.body, new RegExp(`>Secrets</a> <span class="muted small">\\(${secretCount}\\)`))
  }

  const visitorPublic = await new Agent(app).get('/kb/articles/public-price-list')
  t.notMatch(visitorPublic.body, /Gold marketing plan|Gold company playbook/, 'a link lends the title only to those who may read the article')
  t.notMatch(visitorPublic.body, /Related articles[\s\S]*(Partner onboarding|Silver deal desk)/, 'related articles stay within the audience')
  const goldAgent = await signedIn(gold)
  t.match((await goldAgent.get('/portal/knowledge/articles/public-price-list')).body, /<a href="\/portal\/knowledge\/articles\/gold-marketing-plan">Gold marketing plan<\/a>/)
})

t.test("the dashboard's required reading lists exactly the reader's audience", async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, gold, rival, articles } = await world(app)
  await sql`update knowledge_articles set required = true`.execute(app.diContainer.cradle.db)
  const cases: Array<[string, { email: string; password: string }, Key[]]> = [
    ['Silver partner', silver, ['public', 'partners', 'silverUp']],
    ['Gold partner of another company', rival, ['public', 'partners', 'silverUp', 'gold']],
    ['the chosen Gold company', gold, ['public', 'partners', 'silverUp', 'gold', 'company']]
  ]
  for (const [name, who, may] of cases) {
    const agent = new Agent(app)
    await agent.signIn(who.email, who.password)
    const card = (await agent.get('/portal')).body.split('To read')[1]?.split('Open the knowledge base')[0] ?? ''
    for (const key of Object.keys(articles) as Key[]) {
      t.equal(card.includes(`>${articles[key].title}</a>`), may.includes(key), `${name}: ${articles[key].title}`)
    }
  }
})

t.test('visitors reach no partner knowledge route, partners no staff one, and nothing changes', async (t) => {
  const { app } = await buildTestApp(t)
  const { silver, articles } = await world(app)
  const partner = new Agent(app)
  await partner.signIn(silver.email, silver.password)
  const before = await fingerprint(app)
  const visitor = new Agent(app)
  for (const route of app.routeCatalog.filter((r) => r.url.startsWith('/portal/knowledge'))) {
    const url = fill(route.url, articles.partners.id).replace(articles.partners.id, route.url.includes(':slug') ? articles.partners.slug : articles.partners.id)
    const res = route.method === 'GET' ? await visitor.get(url) : await visitor.post(url, { helpful: 'yes' })
    t.ok(res.statusCode === 303 || res.statusCode === 401 || res.statusCode === 403, `visitor ${route.method} ${url}: ${res.statusCode}`)
  }
  for (const route of app.routeCatalog.filter((r) => r.url.startsWith('/admin/knowledge'))) {
    const url = fill(route.url.replace(':version', '1').replace(':slug', articles.partners.slug), articles.partners.id)
    const res = route.method === 'GET' ? await partner.get(url) : await partner.post(url, {})
    t.equal(res.statusCode, 403, `partner ${route.method} ${url}`)
  }
  t.same(await fingerprint(app), before, 'nothing changed')
})
