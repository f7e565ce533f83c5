import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { CategoryForm } from './knowledge.schemas.ts'

type ById = { Params: { id: string } }
type Form = { Body: Record<string, string> }

/** Staff arrange the categories under /admin/knowledge/categories. */
const categoriesRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeCategories } = app.diContainer.cradle
  const config = { access: 'staff' as const }

  async function listPage(reply: FastifyReply, state: { editing?: string; values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
    const { flat } = await knowledgeCategories.tree()
    return reply.page('knowledge/admin-categories', { categories: flat, values: state.values ?? { position: 0 }, editing: state.editing, errors: state.errors ?? {}, message: state.message }, {
      title: 'Knowledge categories', status: state.status
    })
  }

  app.get('/admin/knowledge/categories', { config }, async (_request, reply) => listPage(reply))

  app.post<Form>('/admin/knowledge/categories', { config }, async (request, reply) => {
    try {
      const category = await knowledgeCategories.save(signedIn(request), null, parseForm(CategoryForm, request.body))
      return reply.flash(`Category ${category.name} added.`).seeOther('/admin/knowledge/categories')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return listPage(reply, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById>('/admin/knowledge/categories/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const category = await knowledgeCategories.category(request.params.id)
    return reply.page('knowledge/admin-category', { category, categories: (await knowledgeCategories.tree()).flat, values: { ...category, parent_id: category.parent_id ?? '' }, errors: {} }, { title: category.name })
  })

  app.post<ById & Form>('/admin/knowledge/categories/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const category = await knowledgeCategories.category(request.params.id)
    try {
      await knowledgeCategories.save(signedIn(request), category.id, parseForm(CategoryForm, request.body))
      return reply.flash('Category saved.').seeOther('/admin/knowledge/categories')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.page('knowledge/admin-category', { category, categories: (await knowledgeCategories.tree()).flat, values: request.body, errors: err.fields, message: err.message }, { title: category.name, status: 422 })
    }
  })

  app.post<ById>('/admin/knowledge/categories/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    const category = await knowledgeCategories.remove(signedIn(request), request.params.id)
    return reply.flash(`Category ${category.name} removed.`).seeOther('/admin/knowledge/categories')
  })
}

export default categoriesRoutes
