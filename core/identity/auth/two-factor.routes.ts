import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { partnerViewer, signedIn } from '../access.ts'
import { Conflict, Invalid, NotFound, TooManyRequests } from '../../lib/errors.ts'
import { idParams, parseForm, Type } from '../../lib/validation.ts'
import type { UserRow } from '../users/users.table.ts'
import { clearPending, formError, homeOf, pendingOf, type PendingSignIn } from './sign-in-steps.ts'

const CodeForm = Type.Object({ code: Object.assign(Type.String({ minLength: 1, maxLength: 40 }), { label: 'Code', message: 'Enter the code.' }) })
const PasswordField = Object.assign(Type.String({ minLength: 1, maxLength: 200 }), { label: 'Password', message: 'Enter your password.' })
const EnrolForm = Type.Object({ code: CodeForm.properties.code, password: PasswordField })
const RecoveryForm = Type.Object({ password: PasswordField })
const RequirementForm = Type.Object({ required: Object.assign(Type.Enum(['on', 'off']), { label: 'Requirement' }) })

/** Code attempts count per person (whoever holds their password), not per client. */
const codeLimit = {
  max: 5,
  timeWindow: '5 minutes',
  keyGenerator: (request: FastifyRequest) => `2fa:${request.viewer?.id ?? pendingOf(request)?.sub ?? request.ip}`,
  errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) =>
    new TooManyRequests(`Too many codes tried. Wait ${Math.ceil(context.ttl / 1000)} seconds and try again.`)
}

/**
 * Two-factor sign-in: the second step of signing in (a code, or setting a factor up where one is
 * required), turning it on and off on the account page, the admins' requirement, and the staff
 * admin's reset for a lost device.
 */
const twoFactorRoutes: FastifyPluginAsync = async (app) => {
  const { users, twoFactor } = app.diContainer.cradle

  /** The person a pending sign-in names, if it is still good for this step. */
  async function pendingPerson(request: FastifyRequest, step: PendingSignIn['step']): Promise<{ pending: PendingSignIn; user: UserRow } | undefined> {
    const pending = pendingOf(request)
    if (!pending || pending.step !== step) return undefined
    const user = await users.account(pending.sub).catch((err: unknown) => {
      if (err instanceof NotFound) return undefined
      throw err
    })
    return user && user.status === 'active' && user.session_version === pending.sv ? { pending, user } : undefined
  }

  /** To the step the pending sign-in is at if it is another, else back to the start (there is none, or it is void). */
  const startOver = (request: FastifyRequest, reply: FastifyReply, step: PendingSignIn['step']) => {
    const pending = pendingOf(request)
    if (pending && pending.step !== step && request.method === 'GET') return reply.seeOther(pending.step === 'code' ? '/signin/code' : '/signin/two-factor')
    clearPending(reply)
    return reply.flash('Sign in again: that sign-in was not finished in time.').seeOther('/signin')
  }

  const finish = async (reply: FastifyReply, user: UserRow, next: string | undefined) => {
    clearPending(reply)
    await reply.signIn(user)
    return next ?? homeOf(user)
  }

  app.get('/signin/code', { config: { access: 'public' } }, async (request, reply) => {
    if (!await pendingPerson(request, 'code')) return startOver(request, reply, 'code')
    return reply.page('auth/signin-code', { errors: {} }, { title: 'Enter your code' })
  })

  app.post<{ Body: Record<string, string> }>('/signin/code', { config: { access: 'public', rateLimit: codeLimit } }, async (request, reply) => {
    const found = await pendingPerson(request, 'code')
    if (!found) return startOver(request, reply, 'code')
    try {
      const form = parseForm(CodeForm, request.body)
      const { recoveryCodeUsed } = await twoFactor.verifyCode(found.user.id, form.code)
      const to = await finish(reply, found.user, found.pending.next)
      if (recoveryCodeUsed) reply.flash('You signed in with a recovery code, which cannot be used again. Set up your authenticator app again on your account page if you lost it.')
      request.log.info({ userId: found.user.id }, 'signed in')
      return reply.seeOther(to)
    } catch (err) {
      return formError(reply, err, 'auth/signin-code', {}, 'Enter your code')
    }
  })

  app.get('/signin/two-factor', { config: { access: 'public' } }, async (request, reply) => {
    const found = await pendingPerson(request, 'setup')
    if (!found) return startOver(request, reply, 'setup')
    const setup = await twoFactor.beginEnrolment(found.user)
    return reply.page('auth/two-factor-setup', { setup, action: '/signin/two-factor', required: true, errors: {} }, { title: 'Set up two-factor sign-in' })
  })

  app.post<{ Body: Record<string, string> }>('/signin/two-factor', { config: { access: 'public', rateLimit: codeLimit } }, async (request, reply) => {
    const found = await pendingPerson(request, 'setup')
    if (!found) return startOver(request, reply, 'setup')
    try {
      const form = parseForm(CodeForm, request.body)
      const codes = await twoFactor.completeEnrolment(found.user, form.code)
      const to = await finish(reply, found.user, found.pending.next)
      return reply.page('auth/recovery-codes', { codes, next: to }, { title: 'Your recovery codes' })
    } catch (err) {
      const setup = await twoFactor.beginEnrolment(found.user)
      return formError(reply, err, 'auth/two-factor-setup', { setup, action: '/signin/two-factor', required: true }, 'Set up two-factor sign-in')
    }
  })

  async function accountPage(request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown> = {}, status = 200) {
    const viewer = signedIn(request)
    const { user, state } = await twoFactor.account(viewer.id)
    const setup = state.enabled ? undefined : await twoFactor.beginEnrolment(user)
    // An admin's requirement covers their own staff or company, so it is the one their state already read.
    const requirement = viewer.kind === 'staff' && viewer.role === 'admin'
      ? { label: 'all staff', action: '/admin/two-factor-requirement', required: state.required }
      : viewer.kind === 'partner' && viewer.role === 'admin' && viewer.partnerId && viewer.partnerStatus === 'active'
        ? { label: 'everyone in your company', action: '/portal/two-factor-requirement', required: state.required }
        : undefined
    return reply.page('auth/two-factor', { state, setup, requirement, errors: {}, ...data }, { title: 'Two-factor sign-in', status })
  }

  const accountError = (request: FastifyRequest, reply: FastifyReply, err: unknown, form: string) => {
    if (!(err instanceof Invalid)) throw err
    return accountPage(request, reply, { errors: err.fields, message: err.message, form }, 422)
  }

  app.get('/account/two-factor', { config: { access: 'signed-in' } }, async (request, reply) => accountPage(request, reply))

  app.post<{ Body: Record<string, string> }>('/account/two-factor', { config: { access: 'signed-in', rateLimit: codeLimit } }, async (request, reply) => {
    try {
      const form = parseForm(EnrolForm, request.body)
      const codes = await twoFactor.completeEnrolment(signedIn(request), form.code, form.password)
      return reply.page('auth/recovery-codes', { codes, next: '/account/two-factor' }, { title: 'Your recovery codes' })
    } catch (err) {
      return accountError(request, reply, err, 'enrol')
    }
  })

  app.post<{ Body: Record<string, string> }>('/account/two-factor/disable', { config: { access: 'signed-in', rateLimit: codeLimit } }, async (request, reply) => {
    try {
      const form = parseForm(EnrolForm, request.body)
      await twoFactor.disable(signedIn(request), form.password, form.code)
      return reply.flash('Two-factor sign-in is off. You sign in with your password alone.').seeOther('/account/two-factor')
    } catch (err) {
      return accountError(request, reply, err, 'disable')
    }
  })

  app.post<{ Body: Record<string, string> }>('/account/two-factor/recovery-codes', { config: { access: 'signed-in' } }, async (request, reply) => {
    try {
      const form = parseForm(RecoveryForm, request.body)
      const codes = await twoFactor.renewRecoveryCodes(signedIn(request), form.password)
      return reply.page('auth/recovery-codes', { codes, next: '/account/two-factor' }, { title: 'Your recovery codes' })
    } catch (err) {
      return accountError(request, reply, err, 'renew')
    }
  })

  const requirementSaved = (reply: FastifyReply, required: boolean, signedOut: number) => reply.flash(required
    ? `Two-factor sign-in is now required. ${signedOut === 1 ? 'One person without it was' : `${signedOut} people without it were`} signed out, to set it up when they next sign in.`
    : 'Two-factor sign-in is no longer required; those who use it keep it.').seeOther('/account/two-factor')

  app.post<{ Body: Record<string, string> }>('/admin/two-factor-requirement', { config: { access: 'staff-admin' } }, async (request, reply) => {
    const { required } = parseForm(RequirementForm, request.body)
    return requirementSaved(reply, required === 'on', await twoFactor.setRequired(signedIn(request), 'staff', required === 'on'))
  })

  app.post<{ Body: Record<string, string> }>('/portal/two-factor-requirement', { config: { access: 'partner-admin' } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const { required } = parseForm(RequirementForm, request.body)
    return requirementSaved(reply, required === 'on', await twoFactor.setRequired(viewer, { partnerId: viewer.partnerId }, required === 'on'))
  })

  app.post<{ Params: { id: string } }>('/admin/users/:id/two-factor/reset', { config: { access: 'staff-admin' }, schema: { params: idParams } }, async (request, reply) => {
    const viewer = signedIn(request)
    if (viewer.id === request.params.id) throw new Conflict('Turn your own two-factor sign-in off or on from your account page.')
    const person = await twoFactor.reset(viewer, request.params.id)
    return reply.flash(`${person.name}’s two-factor sign-in is reset. They are signed out and told by e-mail.`)
      .seeOther(person.kind === 'staff' ? `/admin/staff/${person.id}` : `/admin/partners/${person.partner_id}`)
  })
}

export default twoFactorRoutes
