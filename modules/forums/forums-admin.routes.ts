import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { CategoryForm, ForumForm } from './forums.schemas.ts'

type ById = { Params: { id: string } }
type Form = { Body: Record<string, string> }
interface State { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number }

/** Staff arrange the forums under /admin/forums/manage: categories, forums, their audience and who may post. */
const forumsAdminRoutes: FastifyPluginAsync = async (app) => {
  const { forumStructure, partners, submissions } = app.diContainer.cradle
  const config = { access: 'staff' as const }
  const schema = { params: idParams }

  async function managePage(reply: FastifyReply, state: State = {}) {
    const [categories, forums] = await Promise.all([forumStructure.categories(), forumStructure.allForums()])
    return reply.page('forums/admin-manage', { categories, forums, values: state.values ?? { position: 0 }, errors: state.errors ?? {}, message: state.message }, {
      title: 'Arrange the forums', status: state.status
    })
  }

  /** A forum's form; `q` searches the partner picker of its audience (its search without JavaScript sends the whole form here). */
  async function forumPage(reply: FastifyReply, id: string | null, state: State & { q?: unknown } = {}) {
    const [forum, categories, levels] = await Promise.all([id ? forumStructure.forum(id) : Promise.resolve(null), forumStructure.categories(), partners.levels()])
    const values = state.values ?? forum ?? { audience: 'partners', posting: 'audience', position: 0, audience_partner_ids: [] }
    const picker = await partners.partnersPicker(state.q, values.audience_partner_ids)
    return reply.page('forums/admin-forum', { forum, categories, levels, picker, values, errors: state.errors ?? {}, message: state.message }, {
      title: forum ? forum.name : 'New forum', status: state.status
    })
  }

  app.get('/admin/forums/manage', { config }, async (_request, reply) => managePage(reply))

  app.post<Form>('/admin/forums/categories', { config }, async (request, reply) => {
    const viewer = signedIn(request)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => forumStructure.saveCategory(viewer, null, parseForm(CategoryForm, request.body), submission), '/admin/forums/manage')
      return reply.flash(saved.repeat ? alreadySaved : 'Category added.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return managePage(reply, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById>('/admin/forums/categories/:id', { config, schema }, async (request, reply) => {
    const category = await forumStructure.category(request.params.id)
    return reply.page('forums/admin-category', { category, values: category, errors: {} }, { title: category.name })
  })

  app.post<ById & Form>('/admin/forums/categories/:id', { config, schema }, async (request, reply) => {
    const category = await forumStructure.category(request.params.id)
    try {
      await forumStructure.saveCategory(signedIn(request), category.id, parseForm(CategoryForm, request.body))
      return reply.flash('Category saved.').seeOther('/admin/forums/manage')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.page('forums/admin-category', { category, values: request.body, errors: err.fields, message: err.message }, { title: category.name, status: 422 })
    }
  })

  app.post<ById>('/admin/forums/categories/:id/remove', { config, schema }, async (request, reply) => {
    const category = await forumStructure.removeCategory(signedIn(request), request.params.id)
    return reply.flash(`Category ${category.name} removed.`).seeOther('/admin/forums/manage')
  })

  const searched = (query: Record<string, unknown>) => ('q' in query ? { q: query.q, values: query } : {})

  app.get<{ Querystring: Record<string, unknown> }>('/admin/forums/manage/new', { config }, async (request, reply) => forumPage(reply, null, searched(request.query)))

  app.post<Form>('/admin/forums/manage', { config }, async (request, reply) => {
    const viewer = signedIn(request)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => forumStructure.saveForum(viewer, null, parseForm(ForumForm, request.body), submission), '/admin/forums/manage')
      return reply.flash(saved.repeat ? alreadySaved : 'Forum added.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return forumPage(reply, null, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById & { Querystring: Record<string, unknown> }>('/admin/forums/manage/:id', { config, schema }, async (request, reply) =>
    forumPage(reply, request.params.id, searched(request.query)))

  app.post<ById & Form>('/admin/forums/manage/:id', { config, schema }, async (request, reply) => {
    const forum = await forumStructure.forum(request.params.id)
    try {
      await forumStructure.saveForum(signedIn(request), forum.id, parseForm(ForumForm, request.body))
      return reply.flash('Forum saved.').seeOther('/admin/forums/manage')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return forumPage(reply, forum.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })
}

export default forumsAdminRoutes
