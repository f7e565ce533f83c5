import type { FastifyPluginAsync } from 'fastify'
import { TooManyRequests } from '../../lib/errors.ts'
import { email, parseForm, password, Type } from '../../lib/validation.ts'
import { confirmed, formError } from './sign-in-steps.ts'

const ForgotForm = Type.Object({ email: email() })
const ResetForm = Type.Object({ password: password('New password'), confirm: Type.String({ maxLength: 200, label: 'Confirmation' }) })

/** Per client: the route's own limit. Per address: this one, so no one is sent a flood of links. */
const perClient = { max: 10, timeWindow: '15 minutes' }
const perAddress = { max: 3, timeWindow: 60 * 60_000 }
const tooMany = 'Too many requests for a new password. Wait a while and try again.'

/** "Forgot password": a single-use link by e-mail, valid for an hour, that ends every session when used. */
const passwordResetRoutes: FastifyPluginAsync = async (app) => {
  const { users } = app.diContainer.cradle
  const addressLimit = app.createRateLimit({
    ...perAddress,
    keyGenerator: (request) => `reset:${String((request.body as Record<string, unknown> | undefined)?.email ?? '').trim().toLowerCase()}`
  })

  app.get('/signin/forgot', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/forgot', { values: {}, errors: {} }, { title: 'Forgot your password?' }))

  app.post<{ Body: Record<string, string> }>('/signin/forgot', {
    config: { access: 'public', rateLimit: { ...perClient, errorResponseBuilder: () => new TooManyRequests(tooMany) } }
  }, async (request, reply) => {
    try {
      const form = parseForm(ForgotForm, request.body)
      const limit = await addressLimit(request)
      if (!limit.isAllowed && limit.isExceeded) throw new TooManyRequests(tooMany)
      await users.requestPasswordReset(form.email)
      // The same page whether or not the address has an account.
      return reply.page('auth/forgot', { sent: form.email }, { title: 'Check your e-mail' })
    } catch (err) {
      return formError(reply, err, 'auth/forgot', { values: { email: request.body?.email ?? '' } }, 'Forgot your password?')
    }
  })

  app.get<{ Params: { token: string } }>('/reset/:token', { config: { access: 'public' } }, async (request, reply) => {
    const user = await users.passwordReset(request.params.token)
    return reply.page('auth/reset', { person: user, token: request.params.token, errors: {} }, { title: 'Choose a new password' })
  })

  app.post<{ Params: { token: string }; Body: Record<string, string> }>('/reset/:token', { config: { access: 'public' } }, async (request, reply) => {
    const person = await users.passwordReset(request.params.token)
    try {
      const form = parseForm(ResetForm, request.body)
      confirmed(form)
      await users.resetPassword(request.params.token, form.password)
      return reply.flash('Your new password is set, and every session of your account is signed out. Sign in with it now.').seeOther('/signin')
    } catch (err) {
      return formError(reply, err, 'auth/reset', { person, token: request.params.token }, 'Choose a new password')
    }
  })
}

export default passwordResetRoutes
