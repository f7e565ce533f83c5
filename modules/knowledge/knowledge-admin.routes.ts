import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { pageSize, timeCursor } from '../../core/lib/pagination.ts'
import { idParams, isId, parseForm, Type } from '../../core/lib/validation.ts'
import { wantsFragment } from '../../core/web/views.ts'
import { statusLabel } from './articles.service.ts'
import { ApproveForm, ArticleForm, AudienceForm, SendBackForm } from './knowledge.schemas.ts'
import type { ArticleStatus } from './knowledge.table.ts'

type ById = { Params: { id: string } }
type Form = { Body: Record<string, string | string[]> }
interface ListQuery { status?: string; category?: string; q?: string; after?: string }
const statuses: Array<ArticleStatus | 'due'> = ['draft', 'review', 'scheduled', 'published', 'archived', 'due']
const versionParams = Type.Object({ id: Type.String({ format: 'uuid' }), version: Type.Integer({ minimum: 1 }) })

/** Staff write, review, publish and target articles under /admin/knowledge. */
const knowledgeAdminRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeArticles, knowledgeCategories } = app.diContainer.cradle
  const config = { access: 'staff' as const }

  async function formPage(reply: FastifyReply, state: { id?: string; values: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number }) {
    const { flat } = await knowledgeCategories.tree()
    return reply.page('knowledge/admin-article-form', { ...state, errors: state.errors ?? {}, categories: flat }, {
      title: state.id ? 'Edit article' : 'New article', status: state.status
    })
  }

  /** The article's page; `q` searches the audience's partner picker (its search without JavaScript sends the audience form here). */
  async function articlePage(reply: FastifyReply, id: string, state: { errors?: FieldErrors; message?: string; status?: number; values?: Record<string, unknown>; q?: unknown } = {}) {
    const page = await knowledgeArticles.page(id, { q: state.q, chosen: state.values?.audience_partner_ids })
    const viewer = signedIn(reply.request)
    return reply.page('knowledge/admin-article', {
      ...page, statusLabel, viewerId: viewer.id, errors: state.errors ?? {}, message: state.message, values: state.values ?? {}
    }, { title: page.article.title, status: state.status })
  }

  app.get<{ Querystring: ListQuery }>('/admin/knowledge', { config }, async (request, reply) => {
    const q = request.query
    const filters = {
      status: statuses.find((s) => s === q.status),
      category: isId(q.category) ? q.category : undefined,
      q: typeof q.q === 'string' ? q.q.trim().slice(0, 100) : ''
    }
    const after = timeCursor(q.after)
    const page = await knowledgeArticles.list({ status: filters.status, categoryId: filters.category, q: filters.q || undefined, after }, pageSize)
    const data = { page, filters, paged: Boolean(after), statuses, statusLabel, categories: (await knowledgeCategories.tree()).flat }
    return reply.page(wantsFragment(request) ? 'knowledge/admin-results' : 'knowledge/admin-articles', data, { title: 'Knowledge base' })
  })

  app.get('/admin/knowledge/new', { config }, async (_request, reply) => formPage(reply, { values: { material: false } }))

  app.post<Form>('/admin/knowledge/articles', { config }, async (request, reply) => {
    try {
      const article = await knowledgeArticles.create(signedIn(request), parseForm(ArticleForm, request.body))
      return reply.flash('Draft saved.').seeOther(`/admin/knowledge/articles/${article.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById & { Querystring: Record<string, unknown> }>('/admin/knowledge/articles/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    articlePage(reply, request.params.id, 'q' in request.query ? { q: request.query.q, values: request.query } : {}))

  /** Links between articles in the staff's preview name the article by its address. */
  app.get<{ Params: { slug: string } }>('/admin/knowledge/by-address/articles/:slug', { config }, async (request, reply) =>
    reply.seeOther(`/admin/knowledge/articles/${(await knowledgeArticles.bySlug(request.params.slug)).id}`))

  app.get<ById>('/admin/knowledge/articles/:id/edit', { config, schema: { params: idParams } }, async (request, reply) => {
    const article = await knowledgeArticles.article(request.params.id)
    return formPage(reply, { id: article.id, values: { ...article, tags: article.tags.join(', '), note: '', material: false } })
  })

  app.post<ById & Form>('/admin/knowledge/articles/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    await knowledgeArticles.article(request.params.id)
    try {
      const article = await knowledgeArticles.update(signedIn(request), request.params.id, parseForm(ArticleForm, request.body))
      return reply.flash(`Saved as version ${article.version}.`).seeOther(`/admin/knowledge/articles/${article.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, { id: request.params.id, values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  const action = (path: string, run: (request: { viewer: Parameters<typeof signedIn>[0]['viewer']; params: { id: string }; body: Form['Body'] }) => Promise<string>) =>
    app.post<ById & Form>(`/admin/knowledge/articles/:id/${path}`, { config, schema: { params: idParams } }, async (request, reply) => {
      try {
        return reply.flash(await run(request)).seeOther(`/admin/knowledge/articles/${request.params.id}`)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return articlePage(reply, request.params.id, { errors: err.fields, message: err.message, status: 422, values: request.body })
      }
    })

  action('submit', async (r) => (await knowledgeArticles.submit(signedIn(r), r.params.id), 'Sent for review. Another member of staff approves it or sends it back.'))
  action('approve', async (r) => {
    const article = await knowledgeArticles.approve(signedIn(r), r.params.id, parseForm(ApproveForm, r.body))
    return article.status === 'scheduled' ? 'Approved; it will be published at the time you chose.' : 'Approved and published.'
  })
  action('send-back', async (r) => (await knowledgeArticles.sendBack(signedIn(r), r.params.id, parseForm(SendBackForm, r.body).comment), 'Sent back to its author with your comment.'))
  action('archive', async (r) => (await knowledgeArticles.archive(signedIn(r), r.params.id), 'Archived: readers no longer see it.'))
  action('reopen', async (r) => (await knowledgeArticles.reopen(signedIn(r), r.params.id), 'Returned to draft.'))
  action('audience', async (r) => (await knowledgeArticles.setAudience(signedIn(r), r.params.id, parseForm(AudienceForm, r.body)), 'Audience saved.'))

  app.get<ById & { Querystring: { from?: string; to?: string } }>('/admin/knowledge/articles/:id/versions', { config, schema: { params: idParams } }, async (request, reply) => {
    const number = (value: unknown) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined)
    const { article, versions, diff } = await knowledgeArticles.versionsPage(request.params.id, { from: number(request.query.from), to: number(request.query.to) })
    return reply.page('knowledge/admin-versions', { article, versions, diff }, { title: `Versions of ${article.title}` })
  })

  app.post<{ Params: { id: string; version: number } }>('/admin/knowledge/articles/:id/versions/:version/restore', { config, schema: { params: versionParams } }, async (request, reply) => {
    const article = await knowledgeArticles.restore(signedIn(request), request.params.id, request.params.version)
    return reply.flash(`Version ${request.params.version} restored as version ${article.version}.`).seeOther(`/admin/knowledge/articles/${article.id}`)
  })
}

export default knowledgeAdminRoutes
