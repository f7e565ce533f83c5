import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { countryCodes } from '../../core/lib/countries.ts'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, isId } from '../../core/lib/validation.ts'
import { NoteForm, parseForm, StaffPartnerForm, SuspendForm } from './partners.schemas.ts'
import type { PartnerStatus } from './partners.table.ts'
import { signedIn } from '../../core/identity/access.ts'

interface DirectoryQuery { q?: string; status?: string; level?: string; country?: string; territory?: string; expertise?: string; after?: string }
type ById = { Params: { id: string } }
interface PartnerOptionsQuery { q?: string; partner_id?: string; except?: string }
type FormById = ById & { Body: Record<string, string | string[]> }

const statuses: readonly PartnerStatus[] = ['active', 'suspended', 'applied', 'rejected']

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' =>
  (typeof value === 'string' && allowed.includes(value as T) ? value as T : '')

/** What the edit form shows again after a refusal: what was typed, lists kept as lists. */
const submitted = (body: Record<string, string | string[]>) => ({
  ...body, territories: [body.territories ?? []].flat(), expertise: [body.expertise ?? []].flat()
})

const partnersAdminRoutes: FastifyPluginAsync = async (app) => {
  const { partners, submissions, auditTrail, pageLoader } = app.diContainer.cradle
  const config = { access: 'staff' as const }

  /** The partner's page, also re-rendered with the messages of a refused change. */
  async function showPartner(reply: FastifyReply, id: string, state: { errors?: FieldErrors; values?: Record<string, unknown>; message?: string; status?: number } = {}) {
    const load = pageLoader()
    const [read, history] = await Promise.all([partners.partnerPage(load, id), auditTrail.historyOf(load, id)])
    const { partner } = read
    const page = {
      ...read, history,
      values: { level_id: partner.level_id, territories: partner.territories, expertise: partner.expertise, capacity: partner.capacity, ...state.values },
      errors: state.errors ?? {}, message: state.message
    }
    return reply.page('partners/admin-partner', page, { title: partner.name, status: state.status })
  }

  /** Refusals re-render the page: field messages with 422, a change the status does not allow with 409. */
  async function change(reply: FastifyReply, id: string, values: Record<string, unknown>, action: () => Promise<string>) {
    try {
      return reply.flash(await action()).seeOther(`/admin/partners/${id}`)
    } catch (err) {
      if (err instanceof Invalid) return showPartner(reply, id, { errors: err.fields, values, message: err.message, status: 422 })
      if (err instanceof Conflict) return showPartner(reply, id, { message: err.message, status: 409 })
      throw err
    }
  }

  app.get<{ Querystring: DirectoryQuery }>('/admin/partners', { config }, async (request, reply) => {
    const q = request.query
    const countries = { country: pick(q.country, countryCodes), territory: pick(q.territory, countryCodes) }
    const { levels, expertiseOptions, ...inUse } = await partners.directoryChoices(pageLoader(), countries)
    const filters = {
      q: String(q.q ?? '').trim().slice(0, 100), status: pick(q.status, statuses), level: pick(q.level, levels.map((l) => l.id)),
      ...countries, expertise: pick(q.expertise, expertiseOptions)
    }
    const cursor = decodeCursor<{ name: string; id: string }>(q.after, { name: 'string', id: 'string' })
    const after = cursor && isId(cursor.id) ? cursor : undefined
    const page = await partners.list({
      search: filters.q || undefined, status: filters.status || undefined, levelId: filters.level || undefined,
      country: filters.country || undefined, territory: filters.territory || undefined, expertise: filters.expertise || undefined, after
    })
    return reply.page('partners/admin-partners', { page, filters, paged: Boolean(after), levels, expertiseOptions, ...inUse, statuses }, { title: 'Partners' })
  })

  /** A staff form's partner picker (active partners, the comma-separated ids of `except` left out): its choices for htmx. */
  app.get<{ Querystring: PartnerOptionsQuery }>('/admin/partners/options', { config }, async (request, reply) => {
    const { q, partner_id: chosen, except } = request.query
    const picker = await partners.partnerPicker(q, chosen, { active: true, exceptIds: String(except ?? '').split(',').filter(isId) })
    return reply.page('partners/partner-options', { picker, fragment: true }, { title: 'Partners' })
  })

  /** A staff form's picker of several partners (ticked under the form's field `field`): its choices for htmx. */
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/admin/partners/options/many', { config }, async (request, reply) => {
    const field = /^[a-z_]{1,40}$/.test(String(request.query.field)) ? String(request.query.field) : 'partner_ids'
    const picker = await partners.partnersPicker(request.query.q, request.query[field])
    return reply.page('partners/partners-options', { picker, field, fragment: true }, { title: 'Partners' })
  })

  app.get<ById>('/admin/partners/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    showPartner(reply, request.params.id))

  app.post<FormById>('/admin/partners/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, submitted(request.body), async () => {
      await partners.staffUpdate(signedIn(request), request.params.id, parseForm(StaffPartnerForm, request.body))
      return 'Partner updated.'
    }))

  app.post<FormById>('/admin/partners/:id/suspend', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, request.body, async () => {
      const form = parseForm(SuspendForm, request.body)
      await partners.setSuspended(signedIn(request), request.params.id, true, form.reason)
      return 'Suspended. Its people are signed out at their next request.'
    }))

  app.post<FormById>('/admin/partners/:id/reactivate', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, request.body, async () => {
      await partners.setSuspended(signedIn(request), request.params.id, false)
      return 'Reactivated. Its people can sign in again.'
    }))

  app.post<FormById>('/admin/partners/:id/notes', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, request.body, async () => {
      const saved = await submissions.once(request, signedIn(request).id,
        (submission) => partners.addNote(signedIn(request), request.params.id, parseForm(NoteForm, request.body).body, submission), `/admin/partners/${request.params.id}`)
      return saved.repeat ? alreadySaved : 'Note added.'
    }))
}

export default partnersAdminRoutes
