import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static } from 'typebox'
import { signedIn } from '../../core/identity/access.ts'
import { described, nextUrl, NullableString, PageOf, PageQuery, Timestamp, iso } from '../../core/api/schemas.ts'
import { decodeCursor, encodeCursor } from '../../core/lib/pagination.ts'

const ArticleSummary = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  categoryId: Type.String({ format: 'uuid' }),
  snippet: Type.Optional(Type.String({ description: 'For a search: the passages that match, the matches in <mark> (the rest escaped).' })),
  publishedAt: NullableString,
  updatedAt: Timestamp
})

const Article = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  category: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), { description: 'From the top category down to the article’s own.' }),
  markdown: Type.String({ description: 'The body as written.' }),
  html: Type.String({ description: 'The body rendered and sanitised; links to other articles point under /portal/knowledge.' }),
  requiredReading: Type.Boolean(),
  publishedAt: NullableString,
  updatedAt: Timestamp
})

const Category = Type.Object({
  id: Type.String({ format: 'uuid' }),
  parentId: NullableString,
  name: Type.String(),
  description: Type.String(),
  articles: Type.Integer({ description: 'Articles the key may read in it and below it.' })
})

const ListQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Full-text search in web-search syntax ("a phrase", -word, or); results ranked, misspellings forgiven. Without it: newest first.' })),
  category: Type.Optional(Type.String({ format: 'uuid', description: 'Only this category and those below it.' })),
  tag: Type.Optional(Type.String({ maxLength: 60 }))
})

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 }) })

const tags = ['Knowledge']
const config = { access: 'signed-in' as const }

/** Published knowledge articles the key's issuer may read (a partner's audience; staff: all), read-only. */
const knowledgeApi: FastifyPluginAsync = async (app) => {
  const { knowledgeReading, knowledgeReaders } = app.diContainer.cradle

  app.get<{ Querystring: Static<typeof ListQuery> }>('/knowledge/articles', {
    config,
    schema: { summary: 'List or search knowledge articles', tags, querystring: ListQuery, response: { 200: described(PageOf(ArticleSummary), 'A page of articles: ranked for a search, else newest first.') } }
  }, async (request) => {
    const reader = knowledgeReaders.ref(signedIn(request))
    const { q, category, tag, limit = 50, cursor } = request.query
    const page = Number(decodeCursor<{ page: string }>(cursor, { page: 'string' })?.page ?? 1) || 1
    const found = await knowledgeReading.list(reader, { q: q ?? '', category, tag, page, perPage: limit })
    const next = found.next ? encodeCursor({ page: String(page + 1) }) : null
    const items = found.items.map((a) => ({
      slug: a.slug, title: a.title, tags: a.tags, categoryId: a.category_id, ...('snippet' in a ? { snippet: String(a.snippet) } : {}),
      publishedAt: a.published_at ? iso(a.published_at) : null, updatedAt: iso(a.updated_at)
    }))
    return { items, next, nextUrl: nextUrl(request.url, next) }
  })

  app.get<{ Params: Static<typeof SlugParams> }>('/knowledge/articles/:slug', {
    config,
    schema: { summary: 'Get a knowledge article', tags, params: SlugParams, response: { 200: described(Article, 'The article, if the key may read it (else 404).') } }
  }, async (request) => {
    const page = await knowledgeReading.article(knowledgeReaders.ref(signedIn(request)), request.params.slug, '/portal/knowledge')
    const a = page.article
    return {
      slug: a.slug, title: a.title, tags: a.tags, category: page.breadcrumbs.map((c) => ({ id: c.id, name: c.name })), markdown: a.body, html: page.html,
      requiredReading: a.required, publishedAt: a.published_at ? iso(a.published_at) : null, updatedAt: iso(a.updated_at)
    }
  })

  app.get('/knowledge/categories', {
    config,
    schema: { summary: 'List knowledge categories', tags, response: { 200: described(Type.Object({ items: Type.Array(Category) }), 'The categories holding articles the key may read, each after its parent.') } }
  }, async (request) => {
    const { flat, counts } = await knowledgeReading.categories(knowledgeReaders.ref(signedIn(request)))
    return { items: flat.map((c) => ({ id: c.id, parentId: c.parent_id, name: c.name, description: c.description, articles: counts.get(c.id) ?? 0 })) }
  })
}

export default knowledgeApi
