import type { FastifyPluginAsync } from 'fastify'
import { signedIn } from '../access.ts'
import { TooManyRequests } from '../../lib/errors.ts'
import { parseForm, password, text, Type, email } from '../../lib/validation.ts'
import { clearPending, confirmed, continueSignIn, formError, homeOf, safeNext } from './sign-in-steps.ts'

const SignInForm = Type.Object({ email: email(), password: Type.String({ minLength: 1, maxLength: 200, label: 'Password' }) })
const InvitationForm = Type.Object({ password: password(), confirm: Type.String({ maxLength: 200, label: 'Confirmation' }) })
const ProfileForm = Type.Object({
  name: text({ label: 'Name', max: 120 }),
  phone: text({ label: 'Phone', max: 40, optional: true }),
  job_title: text({ label: 'Job title', max: 120, optional: true })
})
const PasswordForm = Type.Object({
  current: Type.String({ minLength: 1, maxLength: 200, label: 'Current password' }),
  password: password('New password'),
  confirm: Type.String({ maxLength: 200, label: 'Confirmation' })
})

const authRoutes: FastifyPluginAsync = async (app) => {
  const { users, twoFactor } = app.diContainer.cradle

  app.get<{ Querystring: { next?: string } }>('/signin', { config: { access: 'public' } }, async (request, reply) => {
    if (request.viewer) return reply.seeOther(homeOf(request.viewer))
    return reply.page('auth/signin', { values: {}, next: safeNext(request.query.next) }, { title: 'Sign in' })
  })

  app.post<{ Body: Record<string, string> }>('/signin', {
    config: {
      access: 'public',
      rateLimit: {
        max: 10,
        timeWindow: '1 minute',
        errorResponseBuilder: (_request, context) =>
          new TooManyRequests(`Too many sign-in attempts. Wait ${Math.ceil(context.ttl / 1000)} seconds and try again.`)
      }
    }
  }, async (request, reply) => {
    const next = safeNext(request.body?.next)
    const values = { email: String(request.body?.email ?? '') }
    try {
      const form = parseForm(SignInForm, request.body)
      const user = await users.authenticate(form.email, form.password)
      request.log.info({ userId: user.id }, 'password accepted')
      return await continueSignIn(reply, twoFactor, user, next)
    } catch (err) {
      return formError(reply, err, 'auth/signin', { values, next }, 'Sign in')
    }
  })

  app.post('/signout', { config: { access: 'public' } }, async (_request, reply) => {
    await reply.signOut()
    clearPending(reply)
    return reply.flash('You are signed out.').seeOther('/signin')
  })

  app.post('/account/signout-everywhere', { config: { access: 'signed-in' } }, async (request, reply) => {
    await users.signOutEverywhere(signedIn(request).id)
    await reply.signOut()
    return reply.flash('You are signed out on every device.').seeOther('/signin')
  })

  app.get<{ Params: { token: string } }>('/invite/:token', { config: { access: 'public' } }, async (request, reply) => {
    const user = await users.invitation(request.params.token)
    return reply.page('auth/invitation', { invited: user, token: request.params.token }, { title: 'Set your password' })
  })

  app.post<{ Params: { token: string }; Body: Record<string, string> }>('/invite/:token', { config: { access: 'public' } }, async (request, reply) => {
    const invited = await users.invitation(request.params.token)
    try {
      const form = parseForm(InvitationForm, request.body)
      confirmed(form)
      const user = await users.acceptInvitation(request.params.token, form.password)
      reply.flash(`Welcome, ${user.name}. Your account is ready.`)
      return await continueSignIn(reply, twoFactor, user)
    } catch (err) {
      return formError(reply, err, 'auth/invitation', { invited, token: request.params.token }, 'Set your password')
    }
  })

  app.get('/account', { config: { access: 'signed-in' } }, async (request, reply) => {
    const { user, state } = await twoFactor.account(signedIn(request).id)
    return reply.page('auth/account', { values: user, errors: {}, twoFactor: state }, { title: 'Your account' })
  })

  app.post<{ Body: Record<string, string> }>('/account', { config: { access: 'signed-in' } }, async (request, reply) => {
    try {
      const form = parseForm(ProfileForm, request.body)
      await users.updateProfile(signedIn(request), form)
      return reply.flash('Your profile is saved.').seeOther('/account')
    } catch (err) {
      const { state } = await twoFactor.account(signedIn(request).id)
      return formError(reply, err, 'auth/account', { values: request.body, twoFactor: state }, 'Your account')
    }
  })

  app.post<{ Body: Record<string, string> }>('/account/password', { config: { access: 'signed-in' } }, async (request, reply) => {
    try {
      const form = parseForm(PasswordForm, request.body)
      confirmed(form)
      const user = await users.changePassword(signedIn(request), form.current, form.password)
      await reply.signIn(user)
      return reply.flash('Your password is changed. Other devices are signed out.').seeOther('/account')
    } catch (err) {
      const { user, state } = await twoFactor.account(signedIn(request).id)
      return formError(reply, err, 'auth/account', { values: user, passwordErrors: true, twoFactor: state }, 'Your account')
    }
  })
}

export default authRoutes
