import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { partnerViewer, type Access } from '../../core/identity/access.ts'
import { visitor, type Reader, type ReaderRef } from '../../core/identity/audience.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { idParams, isId, parseForm, Type } from '../../core/lib/validation.ts'
import { wantsFragment } from '../../core/web/views.ts'
import { VoteForm } from './knowledge.schemas.ts'

interface SearchQuery { q?: string; category?: string; tag?: string; page?: string; search?: string }
const slugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 }) })
type BySlug = { Params: { slug: string } }

const pageOf = (value: unknown) => (typeof value === 'string' && /^\d{1,4}$/.test(value) && Number(value) > 0 ? Number(value) : 1)

/**
 * The knowledge base for readers, in two places: /portal/knowledge for partners (their audience)
 * and /kb for everyone (public articles only, whoever is signed in).
 */
function readerRoutes(area: { base: string; access: Access; reader: (request: FastifyRequest) => Promise<Reader>; ref: (request: FastifyRequest) => ReaderRef; partner: boolean }): FastifyPluginAsync {
  return async (app) => {
    const { knowledgeReading, knowledgeVotes, knowledgeEngagement } = app.diContainer.cradle
    const config = { access: area.access }
    const view = { base: area.base, partner: area.partner }

    app.get(area.base, { config }, async (request, reply) => {
      const home = await knowledgeReading.home(area.ref(request))
      return reply.page('knowledge/home', { ...view, ...home }, { title: 'Knowledge base' })
    })

    app.get<{ Params: { id: string }; Querystring: SearchQuery }>(`${area.base}/categories/:id`, { config, schema: { params: idParams } }, async (request, reply) => {
      const page = await knowledgeReading.category(area.ref(request), request.params.id, pageOf(request.query.page))
      return reply.page('knowledge/category', { ...view, ...page }, { title: page.category.name })
    })

    app.get<{ Querystring: SearchQuery }>(`${area.base}/search`, { config }, async (request, reply) => {
      const q = request.query
      const filters = {
        q: typeof q.q === 'string' ? q.q.slice(0, 200) : '', category: isId(q.category) ? q.category : '',
        tag: typeof q.tag === 'string' ? q.tag.trim().toLowerCase().slice(0, 60) : '', page: pageOf(q.page)
      }
      const found = await knowledgeReading.search(area.ref(request), { ...filters, searchId: isId(q.search) ? q.search : undefined })
      return reply.page(wantsFragment(request) ? 'knowledge/search-results' : 'knowledge/search', { ...view, ...found, filters }, { title: filters.q ? `Search: ${filters.q}` : 'Search' })
    })

    app.get<BySlug & { Querystring: { search?: unknown } }>(`${area.base}/articles/:slug`, { config, schema: { params: slugParams } }, async (request, reply) => {
      const page = await knowledgeReading.article(area.ref(request), request.params.slug, area.base, area.partner ? partnerViewer(request).id : undefined)
      knowledgeEngagement.viewed(page.article.id)
      if (isId(request.query.search)) knowledgeReading.searchClicked(request.query.search)
      return reply.page('knowledge/article', { ...view, ...page, errors: {} }, { title: page.article.title })
    })

    if (!area.partner) return
    app.post<BySlug>(`${area.base}/articles/:slug/acknowledge`, { config, schema: { params: slugParams } }, async (request, reply) => {
      await knowledgeEngagement.acknowledge(partnerViewer(request), await area.reader(request), request.params.slug)
      return reply.flash('Thank you: your reading is recorded.').seeOther(`${area.base}/articles/${request.params.slug}`)
    })

    app.post<BySlug & { Body: Record<string, string> }>(`${area.base}/articles/:slug/vote`, { config, schema: { params: slugParams } }, async (request, reply) => {
      const viewer = partnerViewer(request)
      const page = await knowledgeReading.article(area.ref(request), request.params.slug, area.base, viewer.id)
      try {
        await knowledgeVotes.vote(viewer, await area.reader(request), request.params.slug, parseForm(VoteForm, request.body))
        return reply.flash('Thank you for your feedback.').seeOther(`${area.base}/articles/${request.params.slug}#feedback`)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return reply.page('knowledge/article', { ...view, ...page, vote: request.body, errors: err.fields, message: err.message }, { title: page.article.title, status: 422 })
      }
    })
  }
}

const knowledgeReadingRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeReaders } = app.diContainer.cradle
  await app.register(readerRoutes({ base: '/portal/knowledge', access: 'partner', partner: true, reader: (request) => knowledgeReaders.of(partnerViewer(request)), ref: (request) => knowledgeReaders.ref(partnerViewer(request)) }))
  await app.register(readerRoutes({ base: '/kb', access: 'public', partner: false, reader: async () => visitor, ref: () => visitor }))
}

export default knowledgeReadingRoutes
