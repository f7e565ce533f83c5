import type { FastifyPluginAsync } from 'fastify'
import { signedIn } from '../access.ts'
import { idParams } from '../../lib/validation.ts'
import { deviceOf } from './devices.ts'

/** "Where am I signed in": the person's open sessions, each of which they can end. */
const sessionsRoutes: FastifyPluginAsync = async (app) => {
  const { users } = app.diContainer.cradle

  app.get('/account/sessions', { config: { access: 'signed-in' } }, async (request, reply) => {
    const sessions = (await users.sessions(signedIn(request).id)).map((s) => ({ ...s, device: deviceOf(s.user_agent), current: s.id === request.sessionId }))
    sessions.sort((a, b) => Number(b.current) - Number(a.current))
    return reply.page('auth/sessions', { sessions }, { title: 'Where you are signed in' })
  })

  app.post<{ Params: { id: string } }>('/account/sessions/:id/signout', { config: { access: 'signed-in' }, schema: { params: idParams } }, async (request, reply) => {
    if (request.params.id === request.sessionId) {
      await reply.signOut()
      return reply.flash('You are signed out.').seeOther('/signin')
    }
    await users.endSession(signedIn(request), request.params.id)
    return reply.flash('That session is signed out.').seeOther('/account/sessions')
  })

  app.post('/account/sessions/signout-others', { config: { access: 'signed-in' } }, async (request, reply) => {
    const ended = await users.endOtherSessions(signedIn(request), request.sessionId!)
    return reply.flash(ended === 0 ? 'You were signed in nowhere else.' : `Signed out of ${ended === 1 ? 'one other session' : `${ended} other sessions`}.`)
      .seeOther('/account/sessions')
  })
}

export default sessionsRoutes
