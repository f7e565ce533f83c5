import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Viewer } from '../access.ts'
import { Invalid } from '../../lib/errors.ts'
import type { UserRow } from '../users/users.table.ts'
import type { SignInStep, TwoFactorService } from '../two-factor/two-factor.service.ts'

/**
 * Between the password and the second factor a person holds no session, only this short-lived
 * signed cookie naming them: it opens the code (or set-up) page and nothing else.
 */
export const pendingCookie = 'pp_pending'
const pendingMinutes = 10
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface PendingSignIn {
  sub: string
  /** The session version when the password was checked: a password change since voids it. */
  sv: number
  step: Exclude<SignInStep, 'done'>
  next?: string
  exp: number
}

export const homeOf = (viewer: Pick<Viewer, 'kind'>): string => (viewer.kind === 'staff' ? '/admin' : '/portal')

/** Only local paths: a `next` pointing elsewhere would make sign-in an open redirect. */
export const safeNext = (next: unknown): string | undefined =>
  typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : undefined

export function confirmed(form: { password: string; confirm: string }): void {
  if (form.password !== form.confirm) throw new Invalid({ confirm: 'The two passwords are not the same.' })
}

/** Re-renders a form with its errors and what was typed (never the passwords). */
export function formError(reply: FastifyReply, err: unknown, template: string, data: Record<string, unknown>, title: string) {
  if (!(err instanceof Invalid)) throw err
  return reply.page(template, { ...data, errors: err.fields, message: err.message }, { title, status: 422 })
}

/** The pending sign-in the request's cookie names, if it is ours and unexpired (the database is not asked). */
export function pendingOf(request: FastifyRequest): PendingSignIn | undefined {
  const raw = request.cookies[pendingCookie]
  const unsigned = raw ? request.unsignCookie(raw) : undefined
  if (!unsigned?.valid || !unsigned.value) return undefined
  try {
    const pending = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString()) as PendingSignIn
    return typeof pending.sub === 'string' && uuid.test(pending.sub) && typeof pending.exp === 'number' && pending.exp > Date.now() ? pending : undefined
  } catch {
    return undefined
  }
}

export function clearPending(reply: FastifyReply): void {
  reply.clearCookie(pendingCookie, { path: '/signin' })
}

/**
 * After the password (or a new one from an invitation): signs the person in, or, if they use a
 * second factor or must set one up, sends them to that step without a session.
 */
export async function continueSignIn(reply: FastifyReply, twoFactor: TwoFactorService, user: UserRow, next?: string): Promise<FastifyReply> {
  const step = await twoFactor.signInStep(user)
  if (step === 'done') {
    await reply.signIn(user)
    return reply.seeOther(next ?? homeOf(user))
  }
  const pending: PendingSignIn = { sub: user.id, sv: user.session_version, step, next, exp: Date.now() + pendingMinutes * 60_000 }
  reply.setCookie(pendingCookie, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    path: '/signin', httpOnly: true, sameSite: 'lax', signed: true, maxAge: pendingMinutes * 60,
    secure: reply.server.diContainer.cradle.config.PUBLIC_URL.startsWith('https://')
  })
  return reply.seeOther(step === 'code' ? '/signin/code' : '/signin/two-factor')
}
