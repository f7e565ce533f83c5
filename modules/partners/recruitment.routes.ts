import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { countryCodes, countryName } from '../../core/lib/countries.ts'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, isId } from '../../core/lib/validation.ts'
import { ApproveForm, NoteForm, parseForm, RejectForm } from './partners.schemas.ts'
import type { ApplicationSort, ApplicationStatus } from './partners.table.ts'

interface ListQuery { status?: string; country?: string; territory?: string; expertise?: string; sort?: string; after?: string }
type ById = { Params: { id: string } }
type FormById = ById & { Body: Record<string, string> }

const statuses: readonly ApplicationStatus[] = ['pending', 'approved', 'rejected']
const sorts: readonly ApplicationSort[] = ['newest', 'oldest', 'company']
const timestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** "7 Sep": en-GB's "7 Sept" is too wide for a bar. */
const weekLabel = (week: Date) => `${week.getUTCDate()} ${monthNames[week.getUTCMonth()]}`

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' =>
  (typeof value === 'string' && allowed.includes(value as T) ? value as T : '')

/** A tampered cursor is ignored rather than sent to the database as a malformed uuid or time. */
function cursorOf(after: unknown, sort: ApplicationSort) {
  const cursor = decodeCursor<{ key: string; id: string }>(after, { key: 'string', id: 'string' })
  if (!cursor || !isId(cursor.id) || (sort !== 'company' && !timestamp.test(cursor.key))) return undefined
  return cursor
}

/** Applications a page of the list shows: the figures and charts above it share the page (issue 18: page weight). */
const applicationsPageSize = 20

const recruitmentRoutes: FastifyPluginAsync = async (app) => {
  const { partners, submissions, auditTrail, pageLoader } = app.diContainer.cradle
  const config = { access: 'staff' as const }

  /** The figures and charts above the list, with the choices its filters offer, read together. */
  async function dashboard(chosen: { country: string; territory: string }) {
    const { weekly, byCountry, ...rest } = await partners.recruitment(pageLoader(), 12, chosen)
    return {
      ...rest,
      weekly: weekly.map((w) => ({ label: weekLabel(w.week), value: w.count })),
      byCountry: byCountry.map((c) => ({ label: countryName(c.country), value: c.count }))
    }
  }

  /** The application's page, also re-rendered with the messages of a refused decision or note. */
  async function showApplication(reply: FastifyReply, id: string, state: { errors?: FieldErrors; values?: Record<string, unknown>; message?: string; status?: number } = {}) {
    const read = await partners.applicationPage(pageLoader(), id)
    const page = { ...read, history: await auditTrail.history(read.partner.id), errors: state.errors ?? {}, values: state.values ?? {}, message: state.message }
    return reply.page('partners/admin-application', page, { title: `Application: ${read.application.company}`, status: state.status })
  }

  /** Refusals re-render the page: field messages with 422, a decision already taken with 409. */
  async function decide(reply: FastifyReply, id: string, values: Record<string, unknown>, action: () => Promise<string>) {
    try {
      return reply.flash(await action()).seeOther(`/admin/partners/applications/${id}`)
    } catch (err) {
      if (err instanceof Invalid) return showApplication(reply, id, { errors: err.fields, values, message: err.message, status: 422 })
      if (err instanceof Conflict) return showApplication(reply, id, { message: err.message, status: 409 })
      throw err
    }
  }

  app.get<{ Querystring: ListQuery }>('/admin/partners/applications', { config }, async (request, reply) => {
    const q = request.query
    const countries = { country: pick(q.country, countryCodes), territory: pick(q.territory, countryCodes) }
    const figures = await dashboard(countries)
    const filters = {
      status: pick(q.status, statuses), ...countries, expertise: pick(q.expertise, figures.expertiseOptions), sort: pick(q.sort, sorts) || 'newest'
    }
    const after = cursorOf(q.after, filters.sort)
    const page = await partners.applications({
      status: filters.status || undefined, country: filters.country || undefined, territory: filters.territory || undefined,
      expertise: filters.expertise || undefined, sort: filters.sort, after
    }, applicationsPageSize)
    return reply.page('partners/admin-applications', { ...figures, page, filters, paged: Boolean(after), statuses }, { title: 'Applications' })
  })

  app.get<ById>('/admin/partners/applications/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    showApplication(reply, request.params.id))

  app.post<FormById>('/admin/partners/applications/:id/approve', { config, schema: { params: idParams } }, async (request, reply) =>
    decide(reply, request.params.id, request.body, async () => {
      const form = parseForm(ApproveForm, request.body)
      await partners.approve(signedIn(request), request.params.id, form.level_id)
      return 'Approved. The applicant is now the partner admin and has been e-mailed.'
    }))

  app.post<FormById>('/admin/partners/applications/:id/reject', { config, schema: { params: idParams } }, async (request, reply) =>
    decide(reply, request.params.id, request.body, async () => {
      const form = parseForm(RejectForm, request.body)
      await partners.reject(signedIn(request), request.params.id, form.reason)
      return 'Rejected. The applicant has been e-mailed the reason; the application is kept.'
    }))

  app.post<FormById>('/admin/partners/applications/:id/notes', { config, schema: { params: idParams } }, async (request, reply) =>
    decide(reply, request.params.id, request.body, async () => {
      const { partner_id: partnerId } = await partners.application(request.params.id)
      const saved = await submissions.once(request, signedIn(request).id,
        (submission) => partners.addNote(signedIn(request), partnerId, parseForm(NoteForm, request.body).body, submission),
        `/admin/partners/applications/${request.params.id}`)
      return saved.repeat ? alreadySaved : 'Note added.'
    }))
}

export default recruitmentRoutes
