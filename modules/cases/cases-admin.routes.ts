import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Conflict, Invalid } from '../../core/lib/errors.ts'
import { idParams, isId, parseForm } from '../../core/lib/validation.ts'
import { renderMarkdown } from '../../core/web/markdown.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { fillCanned } from './canned.service.ts'
import { caseNumber } from './case-rules.ts'
import { queueFromQuery, queueSorts, viewQueryOf } from './queue.ts'
import { AssignForm, MergeForm, NoteForm, ViewForm, PriorityForm, StaffReplyForm, StatusForm } from './cases.schemas.ts'
import { caseStatuses, caseTypes, priorities } from './cases.table.ts'
import { dealStages } from '../opportunities/index.ts'
import { sendFile } from './files.ts'
import { uploadOf, withUpload, type FormBody } from './uploads.ts'

type QueueQuery = Record<string, string | undefined>
type IdRequest = { Params: { id: string }; Body: FormBody }

const config = { access: 'staff' as const }
/** Cases a queue page shows: fewer than a table's 25, so the page stays within 20 kB of HTML (issue 18). */
const queuePageSize = 12

/** The staff's help desk: the queue, a case with replies and internal notes, assignment, status and priority, and deflections. */
const casesAdminRoutes: FastifyPluginAsync = async (app) => {
  const { caseDesk, caseAttachments, cannedReplies, caseViews, partners, submissions, pageLoader } = app.diContainer.cradle

  app.get<{ Querystring: QueueQuery }>('/admin/cases', { config }, async (request, reply) => {
    const viewer = signedIn(request)
    const query = request.query
    const { filters, filter, sort } = queueFromQuery(query, viewer.id)
    const load = pageLoader()
    const [page, staff, partnerPicker, views] = await Promise.all([
      caseDesk.queue(filter, sort, query.after, queuePageSize, load), caseDesk.staff(load), partners.partnerPicker(query.partner_q, filters.partner, { active: true, typed: true }), caseViews.usable(viewer, load)
    ])
    return reply.page('cases/admin-queue', {
      page, counts: page.counts, filters, views, viewQuery: viewQueryOf(filters), mayShare: viewer.role === 'admin', staff, partnerPicker, statuses: caseStatuses, priorities, caseTypes, dealStages, sorts: queueSorts, paged: Boolean(query.after)
    }, { title: 'Cases' })
  })

  /** The queue's partner filter: its choices for htmx, matching the typed name (partner_q), the chosen partner kept. */
  app.get<{ Querystring: QueueQuery }>('/admin/cases/partners', { config }, async (request, reply) => {
    const picker = await partners.partnerPicker(request.query.partner_q, request.query.partner, { active: true, typed: true })
    return reply.page('cases/partner-options', { picker, fragment: true }, { title: 'Partners' })
  })

  app.post<{ Body: Record<string, unknown> }>('/admin/cases/views', { config }, async (request, reply) => {
    const viewer = signedIn(request)
    try {
      const saved = await submissions.once(request, viewer.id, (submission) => caseViews.save(viewer, parseForm(ViewForm, request.body), submission), (query) => `/admin/cases?${query}`)
      return reply.flash(saved.repeat ? alreadySaved : 'View saved.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.flash(Object.values(err.fields).join(' ')).seeOther(`/admin/cases?${String(request.body?.query ?? '')}`)
    }
  })

  app.post<IdRequest>('/admin/cases/views/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    await caseViews.remove(signedIn(request), request.params.id)
    return reply.flash('View removed.').seeOther('/admin/cases')
  })

  app.get<{ Querystring: { days?: string } }>('/admin/cases/figures', { config: { ...config, heavy: true } }, async (request, reply) => {
    const days = ['30', '90', '365'].includes(String(request.query.days)) ? Number(request.query.days) : 90
    const figures = await caseDesk.figures(days)
    return reply.page('cases/admin-figures', { ...figures, days, statuses: ['new', 'open', 'waiting'], priorities }, { title: 'Case figures' })
  })

  app.get('/admin/cases/deflections', { config }, async (_request, reply) => {
    const rows = await caseDesk.deflections(100)
    return reply.page('cases/admin-deflections', { rows }, { title: 'Questions answered without a case' })
  })

  const detail = async (reply: FastifyReply, id: string, state: { errors?: Record<string, string>; failed?: string; values?: Record<string, unknown>; message?: string; canned?: unknown; after?: string } = {}, status = 200) => {
    const viewer = signedIn(reply.request)
    const load = pageLoader()
    const [{ case: c, timeline, deal, staff }, canned] = await Promise.all([caseDesk.detail(id, state.after, load), cannedReplies.usable(viewer, load)])
    // A canned reply chosen (a GET of the page, so it works without JavaScript) fills in the reply for this case.
    const chosen = isId(state.canned) ? canned.find((r) => r.id === state.canned) : undefined
    if (chosen) Object.assign(state, { failed: 'replies', values: { body: fillCanned(chosen.body, c) } })
    return reply.page('cases/admin-case', {
      canned, cannedId: chosen?.id ?? '',
      c, body: renderMarkdown(c.body), timeline: timeline.items.map((e) => ({ ...e, html: e.kind === 'reply' || e.kind === 'note' ? renderMarkdown(e.body) : '' })),
      earlier: timeline.next, paged: Boolean(state.after),
      deal, staff, statuses: caseStatuses, priorities, errors: state.errors ?? {}, failed: state.failed, values: state.values ?? {}, message: state.message
    }, { title: `${caseNumber(c)} ${c.subject}`, status })
  }

  app.get<IdRequest & { Querystring: { canned?: string; after?: string } }>('/admin/cases/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    detail(reply, request.params.id, { canned: request.query.canned, after: request.query.after }))

  /** The case page's forms: the case first (404), then the form (422 on the page), then the change. */
  const action = (path: string, run: (actor: ReturnType<typeof signedIn>, id: string, body: FormBody) => Promise<unknown>, done: string, upload = false) =>
    app.post<IdRequest>(`/admin/cases/:id/${path}`, { config: upload ? { ...config, csrf: false } : config, schema: { params: idParams }, ...(upload ? withUpload(app) : {}) }, async (request, reply) => {
      const actor = signedIn(request)
      await caseDesk.get(request.params.id)
      try {
        await run(actor, request.params.id, request.body ?? {})
        return reply.flash(done).seeOther(`/admin/cases/${request.params.id}`)
      } catch (err) {
        if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err
        const errors = err instanceof Invalid ? err.fields : { [path]: err.message }
        const values = Object.fromEntries(Object.entries(request.body ?? {}).filter(([k]) => k !== 'file'))
        return detail(reply, request.params.id, { errors, failed: path, values, message: err.message }, err instanceof Invalid ? 422 : 409)
      }
    })

  action('replies', (a, id, body) => caseDesk.reply(a, id, parseForm(StaffReplyForm, body), uploadOf(body)), 'Reply sent; the partner is e-mailed.', true)
  action('notes', (a, id, body) => caseDesk.note(a, id, parseForm(NoteForm, body).note, uploadOf(body)), 'Internal note added. Partners never see it.', true)
  action('status', (a, id, body) => caseDesk.setStatus(a, id, parseForm(StatusForm, body).status), 'Status changed; the partner is e-mailed.')
  action('priority', (a, id, body) => caseDesk.setPriority(a, id, parseForm(PriorityForm, body).priority), 'Priority changed.')
  action('assign', (a, id, body) => caseDesk.assign(a, id, parseForm(AssignForm, body).assignee_id || null), 'Assignment changed.')
  action('take', (a, id) => caseDesk.assign(a, id, a.id), 'The case is yours.')
  action('merge', (a, id, body) => caseDesk.merge(a, id, parseForm(MergeForm, body).into), 'Merged: its timeline is now on the other case.')

  app.get<{ Params: { id: string } }>('/admin/cases/files/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    sendFile(reply, await caseAttachments.forStaff(request.params.id)))
}

export default casesAdminRoutes
