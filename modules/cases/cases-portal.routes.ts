import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { partnerViewer, requireArea, scopeOf, type PartnerViewer } from '../../core/identity/access.ts'
import { reachOf } from '../../core/identity/reach.ts'
import { Conflict, Invalid } from '../../core/lib/errors.ts'
import { pageSize, timeCursor } from '../../core/lib/pagination.ts'
import { pickerText } from '../../core/lib/pickers.ts'
import { idParams, isId, parseForm, typedFields } from '../../core/lib/validation.ts'
import { renderMarkdown } from '../../core/web/markdown.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { caseNumber, reopenDays } from './case-rules.ts'
import { CaseForm, DeflectionForm, RatingForm, ReplyForm } from './cases.schemas.ts'
import { caseStatuses, caseTypes, priorities, type CaseStatus } from './cases.table.ts'
import { sendFile } from './files.ts'
import { uploadOf, withUpload, type FormBody } from './uploads.ts'

interface ListQuery { status?: string; scope?: string; after?: string }
type IdRequest = { Params: { id: string }; Body: FormBody }
type FormQuery = Record<string, unknown> & { q?: string; deal_q?: string }

const config = { access: 'partner' as const }
const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' => (allowed.includes(value as T) ? value as T : '')

/** The partner's support cases: the list, opening one (with suggested answers first), the case page and what they do on it. */
const casesPortalRoutes: FastifyPluginAsync = async (app) => {
  const { cases, caseSuggestions, caseAttachments, customerPickers, pipeline, submissions } = app.diContainer.cradle

  app.get<{ Querystring: ListQuery }>('/portal/cases', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const seesCompany = cases.seesCompany(viewer)
    const filters = { status: request.query.status === 'active' ? 'active' : pick(request.query.status, caseStatuses), scope: seesCompany && request.query.scope === 'mine' ? 'mine' : '' }
    const after = timeCursor(request.query.after)
    const page = await cases.listPage(viewer, {
      status: filters.status && filters.status !== 'active' ? filters.status as CaseStatus : undefined, active: filters.status === 'active', mine: filters.scope === 'mine', after
    }, pageSize)
    return reply.page('cases/list', { page, filters, seesCompany, statuses: caseStatuses, mayOpen: cases.mayOpen(viewer), paged: Boolean(after) }, { title: 'Support cases' })
  })

  /** The new-case form's data: its pickers (each only where the viewer sees that area), the case it follows up, and answers for the subject. */
  const formPage = async (viewer: PartnerViewer, form: { values: Record<string, unknown>; q?: string; dealQ?: string; errors?: Record<string, string>; message?: string }) => {
    const { values } = form
    const [accounts, deals, links, suggestions] = await Promise.all([
      scopeOf(viewer, 'customers') === 'none' ? null : customerPickers.accountPicker(viewer, form.q ?? '', values.account_id),
      scopeOf(viewer, 'opportunities') === 'none' ? null : pipeline.dealPicker(viewer, form.dealQ ?? '', values.opportunity_id),
      cases.links(viewer, { follow_up_of: values.follow_up_of }),
      typeof values.subject === 'string' && !form.errors ? caseSuggestions.find(viewer, values.subject) : []
    ])
    return { values, errors: form.errors ?? {}, message: form.message, accounts, deals, earlier: links.earlier, suggestions, caseTypes, priorities }
  }

  app.get<{ Querystring: FormQuery }>('/portal/cases/new', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    requireArea(viewer, 'cases', 'create')
    const typed = typedFields(CaseForm, request.query)
    const earlier = isId(typed.follow_up_of) ? await cases.forPartner(viewer, typed.follow_up_of) : null
    const values = {
      type: earlier?.type ?? (typed.opportunity_id ? 'deal_support' : 'question'), priority: earlier?.priority ?? 'normal',
      ...(earlier ? { subject: `Follow-up to ${caseNumber(earlier)}: ${earlier.subject}`.slice(0, 200), account_id: earlier.account_id ?? '', opportunity_id: earlier.opportunity_id ?? '' } : {}),
      ...typed
    }
    const page = await formPage(viewer, { values, q: pickerText(request.query.q), dealQ: pickerText(request.query.deal_q) })
    return reply.page('cases/new', page, { title: 'Open a support case' })
  })

  app.get<{ Querystring: { q?: string; account_id?: string } }>('/portal/cases/account-options', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    requireArea(viewer, 'cases', 'create')
    const picker = await customerPickers.accountPicker(viewer, pickerText(request.query.q), request.query.account_id)
    return reply.page('cases/account-options', { picker, fragment: true }, { title: 'Customers' })
  })

  app.get<{ Querystring: { deal_q?: string; opportunity_id?: string } }>('/portal/cases/deal-options', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    requireArea(viewer, 'cases', 'create')
    const picker = await pipeline.dealPicker(viewer, pickerText(request.query.deal_q), request.query.opportunity_id)
    return reply.page('cases/deal-options', { picker, fragment: true }, { title: 'Opportunities' })
  })

  app.get<{ Querystring: { subject?: string } }>('/portal/cases/suggestions', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const subject = String(request.query.subject ?? '')
    const suggestions = await caseSuggestions.find(viewer, subject)
    return reply.page('cases/suggestions', { suggestions, subject }, { title: 'Suggested answers' })
  })

  app.post<{ Body: Record<string, string> }>('/portal/cases/deflections', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      await caseSuggestions.deflected(viewer, parseForm(DeflectionForm, request.body))
      return reply.flash('Glad that answered your question. No case was opened.').seeOther('/portal/cases')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.flash('That suggestion could not be recorded. Open a case if you still need help.').seeOther('/portal/cases/new')
    }
  })

  app.post<{ Body: FormBody }>('/portal/cases', { config: { ...config, csrf: false }, ...withUpload(app) }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const body = request.body ?? {}
    // Ownership first, so another's customer, deal or case answers 404 even when other fields are wrong too.
    await cases.links(viewer, body)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => cases.open(viewer, parseForm(CaseForm, body), uploadOf(body), submission), (id) => `/portal/cases/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : 'Your case is open. We answer here and by e-mail.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const values = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'file'))
      const page = await formPage(viewer, { values, errors: err.fields, message: err.message })
      return reply.page('cases/new', page, { title: 'Open a support case', status: 422 })
    }
  })

  const detail = async (reply: FastifyReply, viewer: PartnerViewer, id: string, state: { errors?: Record<string, string>; failed?: string; values?: Record<string, unknown>; message?: string; after?: string } = {}, status = 200) => {
    const { case: c, timeline, can } = await cases.detail(viewer, id, state.after)
    return reply.page('cases/case', {
      c, body: renderMarkdown(c.body), timeline: timeline.items.map((e) => ({ ...e, html: e.kind === 'reply' ? renderMarkdown(e.body) : '' })), earlier: timeline.next, paged: Boolean(state.after), can, reopenDays,
      errors: state.errors ?? {}, failed: state.failed, values: state.values ?? {}, message: state.message
    }, { title: `${caseNumber(c)} ${c.subject}`, status })
  }

  app.get<IdRequest & { Querystring: { after?: string } }>('/portal/cases/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    detail(reply, partnerViewer(request), request.params.id, { after: request.query.after }))

  app.post<IdRequest>('/portal/cases/:id/replies', { config: { ...config, csrf: false }, schema: { params: idParams }, ...withUpload(app) }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await cases.forPartner(viewer, request.params.id)
    try {
      await cases.reply(viewer, request.params.id, parseForm(ReplyForm, request.body).body, uploadOf(request.body))
      return reply.flash('Reply sent.').seeOther(`/portal/cases/${request.params.id}#reply`)
    } catch (err) {
      if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err
      const fields = err instanceof Invalid ? err.fields : { body: err.message }
      return detail(reply, viewer, request.params.id, { errors: fields, failed: 'reply', values: { body: request.body?.body } }, err instanceof Invalid ? 422 : 409)
    }
  })

  /** The case page's buttons: ownership first (404), then the change; a refused one is said on the page. */
  const action = (path: string, run: (viewer: PartnerViewer, id: string, body: Record<string, unknown>) => Promise<void>, done: string) =>
    app.post<IdRequest>(`/portal/cases/:id/${path}`, { config, schema: { params: idParams } }, async (request, reply) => {
      const viewer = partnerViewer(request)
      await cases.forPartner(viewer, request.params.id)
      try {
        await run(viewer, request.params.id, request.body ?? {})
        return reply.flash(done).seeOther(`/portal/cases/${request.params.id}`)
      } catch (err) {
        if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err
        const errors = err instanceof Invalid ? err.fields : { [path]: err.message }
        return detail(reply, viewer, request.params.id, { errors, failed: path, values: request.body, message: err.message }, err instanceof Invalid ? 422 : 409)
      }
    })

  action('resolve', (v, id) => cases.resolve(v, id), 'Marked as resolved. You can reopen it within 14 days.')
  action('close', (v, id) => cases.close(v, id), 'Case closed.')
  action('reopen', (v, id) => cases.reopen(v, id), 'Case reopened. We will get back to you.')
  action('rating', (v, id, body) => cases.rate(v, id, parseForm(RatingForm, body)), 'Thank you for rating our answer.')

  app.get<{ Params: { id: string } }>('/portal/cases/files/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    sendFile(reply, await caseAttachments.forPartner(reachOf(partnerViewer(request), 'cases'), request.params.id)))
}

export default casesPortalRoutes
