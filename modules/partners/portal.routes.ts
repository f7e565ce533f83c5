import type { FastifyPluginAsync } from 'fastify'
import { Invalid } from '../../core/lib/errors.ts'
import { renderWidgets } from '../../core/features/widgets.ts'
import { CompanyForm, parseForm } from './partners.schemas.ts'
import { partnerViewer, signedIn } from '../../core/identity/access.ts'

const portalRoutes: FastifyPluginAsync = async (app) => {
  const { partners, pageLoader } = app.diContainer.cradle

  app.get('/portal', { config: { access: 'applicant' } }, async (request, reply) => {
    const viewer = signedIn(request)
    if (viewer.partnerStatus !== 'active') return reply.seeOther('/portal/application')
    const load = pageLoader()
    const [partner, widgets] = await Promise.all([
      partners.summary(load, viewer.partnerId!), renderWidgets(app, viewer, 'partner', load)
    ])
    return reply.page('partners/home', { partner, widgets }, { title: 'Home' })
  })

  app.get('/portal/company', { config: { access: 'partner' } }, async (request, reply) => {
    const partner = await partners.partner(partnerViewer(request).partnerId)
    return reply.page('partners/company', { partner }, { title: partner.name })
  })

  const editPage = async (values: Record<string, unknown>, errors: Record<string, string> = {}, message?: string) => ({
    values, errors, message, expertiseOptions: (await partners.program()).expertise_options
  })

  app.get('/portal/company/edit', { config: { access: 'partner-admin' } }, async (request, reply) => {
    const p = await partners.partner(partnerViewer(request).partnerId)
    const values = { ...p, company_name: p.name, company_phone: p.phone }
    return reply.page('partners/company-edit', await editPage(values), { title: 'Edit company profile' })
  })

  app.post<{ Body: Record<string, string | string[]> }>('/portal/company', { config: { access: 'partner-admin' } }, async (request, reply) => {
    try {
      const viewer = partnerViewer(request)
      await partners.updateProfile(viewer, viewer.partnerId, parseForm(CompanyForm, request.body))
      return reply.flash('Company profile saved.').seeOther('/portal/company')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const values = { ...request.body, territories: [request.body.territories ?? []].flat(), expertise: [request.body.expertise ?? []].flat(), listed: request.body.listed === 'on' }
      return reply.page('partners/company-edit', await editPage(values, err.fields, err.message), { title: 'Edit company profile', status: 422 })
    }
  })
}

export default portalRoutes
