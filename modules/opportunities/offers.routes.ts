import type { FastifyPluginAsync } from 'fastify'
import { type PartnerViewer, partnerViewer, permissionsOf } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { timeCursor } from '../../core/lib/pagination.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { ReasonForm } from './opportunities.schemas.ts'

/** Offers a page of the inbox shows: each is a card with its answer forms, so fewer than a list's rows keep the page light. */
const offersPageSize = 10

const offersRoutes: FastifyPluginAsync = async (app) => {
  const { distribution } = app.diContainer.cradle
  const config = { access: 'partner' as const }
  type OfferRequest = { Params: { id: string }; Querystring: { after?: string }; Body: Record<string, string> }

  /** A page of the inbox; `after` (from the address) is the last offer of the page before. */
  const inbox = async (viewer: PartnerViewer, cursor: string | undefined, extra: Record<string, unknown> = {}) => {
    const after = timeCursor(cursor)
    return {
      page: await distribution.inbox(viewer, after, offersPageSize), after: after ? cursor : undefined, paged: Boolean(after),
      canAnswer: permissionsOf(viewer).acceptOffers, errors: {}, ...extra
    }
  }

  app.get<{ Querystring: { after?: string } }>('/portal/opportunities/offers', { config }, async (request, reply) =>
    reply.page('opportunities/offers', await inbox(partnerViewer(request), request.query.after), { title: 'Offers' }))

  app.post<OfferRequest>('/portal/opportunities/offers/:id/accept', { config, schema: { params: idParams } }, async (request, reply) => {
    const opportunity = await distribution.accept(partnerViewer(request), request.params.id)
    return reply.flash(`You accepted ${opportunity.name}. It is in your pipeline.`).seeOther(`/portal/opportunities/${opportunity.id}`)
  })

  app.post<OfferRequest>('/portal/opportunities/offers/:id/reject', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    if (!(await distribution.offeredTo(viewer, request.params.id))) return reply.callNotFound()
    try {
      const form = parseForm(ReasonForm, request.body)
      await distribution.reject(viewer, request.params.id, form.reason)
      return reply.flash('Offer rejected. Thank you for the reason.').seeOther('/portal/opportunities/offers')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const extra = { errors: err.fields, failedOffer: request.params.id, values: request.body }
      return reply.page('opportunities/offers', await inbox(viewer, request.query.after, extra), { title: 'Offers', status: 422 })
    }
  })
}

export default offersRoutes
