import type { FastifyPluginAsync } from 'fastify'
import { countryCodes } from '../../core/lib/countries.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import { publicActor } from '../../core/web/submissions/submissions.ts'
import { ApplicationForm, companySizes, parseForm } from './partners.schemas.ts'
import { KnownDomain } from './partners.service.ts'
import { signedIn } from '../../core/identity/access.ts'

interface DirectoryQuery { country?: string; territory?: string; expertise?: string; level?: string; q?: string; after?: string }

const pick = (value: unknown, allowed: readonly string[]) => (typeof value === 'string' && allowed.includes(value) ? value : '')

const publicRoutes: FastifyPluginAsync = async (app) => {
  const { partners, submissions } = app.diContainer.cradle

  app.get('/', { config: { access: 'public' } }, async (_request, reply) => {
    const [program, levels] = await Promise.all([partners.program(), partners.levels()])
    return reply.page('partners/program', { program, levels }, { title: 'Partner program' })
  })

  const applyPage = async (values: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    values, companySizes, expertiseOptions: (await partners.program()).expertise_options, errors: {}, ...extra
  })

  app.get('/apply', { config: { access: 'public' } }, async (request, reply) => {
    if (request.viewer) return reply.seeOther(request.viewer.kind === 'staff' ? '/admin' : '/portal')
    return reply.page('partners/apply', await applyPage({ territories: [], expertise: [] }), { title: 'Apply to become a partner' })
  })

  app.post<{ Body: Record<string, string | string[]> }>('/apply', { config: { access: 'public' } }, async (request, reply) => {
    const values = { ...request.body, password: '', territories: [request.body.territories ?? []].flat(), expertise: [request.body.expertise ?? []].flat() }
    try {
      // Keys of this signed-out form are the public's: a repeat comes from a browser the first answer never signed in.
      const saved = await submissions.once(request, publicActor,
        (submission) => partners.apply(parseForm(ApplicationForm, request.body), submission), '/portal/application')
      if (saved.repeat) return reply.flash('Your application was already received. Sign in to see where it stands.').seeOther(saved.location)
      await reply.signIn(saved.created.user)
      return reply.flash('Thank you! Your application is in. We will e-mail you when it is decided.').seeOther(saved.location)
    } catch (err) {
      if (err instanceof KnownDomain) {
        return reply.page('partners/apply', await applyPage(values, { duplicates: err.duplicates }), { title: 'Apply to become a partner', status: 409 })
      }
      if (!(err instanceof Invalid)) throw err
      return reply.page('partners/apply', await applyPage(values, { errors: err.fields, message: err.message }), { title: 'Apply to become a partner', status: 422 })
    }
  })

  app.get<{ Querystring: DirectoryQuery }>('/partners', { config: { access: 'public' } }, async (request, reply) => {
    const [program, levels] = await Promise.all([partners.program(), partners.levels()])
    const filters = {
      country: pick(request.query.country, countryCodes),
      territory: pick(request.query.territory, countryCodes),
      expertise: pick(request.query.expertise, program.expertise_options),
      level: pick(request.query.level, levels.map((l) => l.id)),
      q: String(request.query.q ?? '').trim().slice(0, 100)
    }
    const after = decodeCursor<{ name: string; id: string }>(request.query.after, { name: 'string', id: 'string' })
    const page = await partners.directory({
      search: filters.q || undefined, country: filters.country || undefined, territory: filters.territory || undefined,
      expertise: filters.expertise || undefined, levelId: filters.level || undefined, after
    })
    return reply.page('partners/directory', { page, filters, levels, expertiseOptions: program.expertise_options, paged: Boolean(after) }, { title: 'Find a partner' })
  })

  app.get('/portal/application', { config: { access: 'applicant' } }, async (request, reply) => {
    const viewer = signedIn(request)
    if (viewer.partnerStatus === 'active') return reply.seeOther('/portal')
    const application = await partners.applicationOfPartner(viewer.partnerId!)
    return reply.page('partners/application-status', { application }, { title: 'Your application' })
  })
}

export default publicRoutes
