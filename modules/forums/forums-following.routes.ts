import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { SettingsForm } from './forums.schemas.ts'

/** How a person gets forum e-mail (/portal/forums/settings, /admin/forums/settings), and the signed stop-following links of the mails. */
const forumsFollowingRoutes: FastifyPluginAsync = async (app) => {
  const { forumFollowing } = app.diContainer.cradle

  for (const [base, access] of [['/portal/forums', 'partner'], ['/admin/forums', 'staff']] as const) {
    const config = { access }
    app.get(`${base}/settings`, { config }, async (request, reply) => {
      const values = await forumFollowing.settings(signedIn(request))
      return reply.page('forums/settings', { base, values, errors: {} }, { title: 'Forum e-mail' })
    })

    app.post<{ Body: Record<string, string> }>(`${base}/settings`, { config }, async (request, reply) => {
      await forumFollowing.saveSettings(signedIn(request), parseForm(SettingsForm, request.body))
      return reply.flash('Your forum e-mail settings are saved.').seeOther(`${base}/settings`)
    })
  }

  const tokenOf = (request: FastifyRequest) => (request.method === 'GET' ? (request.query as Record<string, unknown>).token : (request.body as Record<string, unknown> | undefined)?.token)

  app.get('/forums/unfollow', { config: { access: 'public' } }, async (request, reply) => {
    const target = await forumFollowing.describe(tokenOf(request))
    return reply.page('forums/unfollow', { target, token: tokenOf(request), done: false }, { title: 'Stop following' })
  })

  app.post('/forums/unfollow', { config: { access: 'public' } }, async (request, reply) => {
    const target = await forumFollowing.unfollow(tokenOf(request))
    return reply.page('forums/unfollow', { target, done: true }, { title: 'Stopped following' })
  })
}

export default forumsFollowingRoutes
