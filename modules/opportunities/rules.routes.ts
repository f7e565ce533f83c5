import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { Static } from 'typebox'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { factors } from './factors.ts'
import type { RulesRow, Weights } from './opportunities.table.ts'
import { RulesForm } from './opportunities.schemas.ts'
import { signedIn } from '../../core/identity/access.ts'

interface PageState { errors?: FieldErrors; values?: Record<string, unknown>; message?: string; status?: number }

/** The stored rules as the form shows them: one field per weight. */
const formValues = (rules: RulesRow) => ({
  ...rules, large_deal_revenue: String(Number(rules.large_deal_revenue)),
  ...Object.fromEntries(factors.map((f) => [`w_${f.key}`, rules.weights[f.key]]))
})

/** The form as the distribution service takes the rules: the weights as one object. */
function rulesOf(form: Static<typeof RulesForm>) {
  const weights = Object.fromEntries(factors.map((f) => [f.key, form[`w_${f.key}`]])) as unknown as Weights
  return {
    auto_distribute: form.auto_distribute, offer_hours: form.offer_hours, max_refusals: form.max_refusals,
    require_territory: form.require_territory, require_expertise: form.require_expertise, respect_capacity: form.respect_capacity,
    min_level_rank: form.min_level_rank, large_deal_revenue: form.large_deal_revenue, large_deal_min_rank: form.large_deal_min_rank,
    stall_days: form.stall_days, weights
  }
}

const rulesRoutes: FastifyPluginAsync = async (app) => {
  const { distribution, partners } = app.diContainer.cradle
  const config = { access: 'staff-admin' as const }

  async function showRules(reply: FastifyReply, state: PageState = {}) {
    const rules = await distribution.rules()
    const page = { rules, factors, levels: await partners.levels(), values: state.values ?? formValues(rules), errors: state.errors ?? {}, message: state.message }
    return reply.page('opportunities/admin-rules', page, { title: 'Distribution rules', status: state.status })
  }

  app.get('/admin/opportunities/rules', { config }, async (_request, reply) => showRules(reply))

  app.post<{ Body: Record<string, string> }>('/admin/opportunities/rules', { config }, async (request, reply) => {
    try {
      await distribution.saveRules(signedIn(request), rulesOf(parseForm(RulesForm, request.body)))
      return reply.flash('Distribution rules saved. They apply to the next ranking and offer.').seeOther('/admin/opportunities/rules')
    } catch (err) {
      if (err instanceof Invalid) return showRules(reply, { errors: err.fields, values: request.body, message: err.message, status: 422 })
      throw err
    }
  })
}

export default rulesRoutes
