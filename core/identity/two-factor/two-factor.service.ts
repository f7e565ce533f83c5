import { audit, type Actor } from '../../data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../data/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { Conflict, Invalid, NotFound } from '../../lib/errors.ts'
import type { Mailer } from '../../background/mail/mailer.ts'
import { verifyPassword } from '../auth/passwords.ts'
import { bumpSessionVersion, findUserById, updateUser } from '../users/users.repository.ts'
import type { UserRow } from '../users/users.table.ts'
import { enrolment, newTotpSecret, totpStep, type Enrolment } from './totp.ts'
import { looksLikeRecoveryCode, newRecoveryCodes, recoveryCodeHash } from './recovery-codes.ts'
import {
  advanceTotpStep, deleteRecoveryCodes, insertRecoveryCodes, isRequired, personWithTwoFactor, setRequirement,
  signOutWithoutSecondFactor, useRecoveryCode
} from './two-factor.repository.ts'
import './two-factor.table.ts'

/** What happens after the password: signed in, a code to enter, or a second factor to set up first. */
export type SignInStep = 'done' | 'code' | 'setup'

type Person = Pick<UserRow, 'id' | 'kind' | 'partner_id' | 'totp_enabled_at'>

export interface TwoFactorStatus {
  enabled: boolean
  /** The person's staff or company requires it. */
  required: boolean
  recoveryCodesLeft: number
}

const wrongCode = 'That code is not right. Enter the six digits your authenticator app shows now, or one of your recovery codes.'
const scopesOf = (user: Pick<UserRow, 'kind' | 'partner_id'>) => (user.kind === 'staff' ? ['staff'] : user.partner_id ? [`partner:${user.partner_id}`] : [])

/**
 * Two-factor sign-in: TOTP (authenticator apps, RFC 6238) with one-time recovery codes; turned on
 * by each person, required for all staff by a staff admin or for a company by its partner admin.
 */
export class TwoFactorService {
  constructor(private readonly deps: { db: Db; mailer: Mailer; clock: Clock }) {}

  async isRequiredFor(user: Pick<UserRow, 'kind' | 'partner_id'>, db: DbOrTrx = this.deps.db): Promise<boolean> {
    const scopes = scopesOf(user)
    return scopes.length > 0 && isRequired(db, scopes)
  }

  async signInStep(user: Person): Promise<SignInStep> {
    if (user.totp_enabled_at) return 'code'
    return await this.isRequiredFor(user) ? 'setup' : 'done'
  }

  /** A person's account with their two-factor state, read in one round trip. */
  async account(userId: string): Promise<{ user: UserRow; state: TwoFactorStatus }> {
    const row = await personWithTwoFactor(this.deps.db, userId)
    if (!row) throw new NotFound('Your account')
    const { required, codes_left, ...user } = row
    const enabled = user.totp_enabled_at !== null
    return { user, state: { enabled, required, recoveryCodesLeft: enabled ? codes_left : 0 } }
  }

  /** The secret to scan, kept on the person until a code from it is entered; the same one on every visit until then. */
  async beginEnrolment(user: UserRow): Promise<Enrolment & { secret: string }> {
    if (user.totp_enabled_at) throw new Conflict('Two-factor sign-in is already on.')
    const secret = user.totp_pending_secret ?? newTotpSecret()
    if (!user.totp_pending_secret) await updateUser(this.deps.db, user.id, { totp_pending_secret: secret })
    return { secret, ...await enrolment(secret, user.email) }
  }

  /**
   * Turns two-factor sign-in on once a code from the scanned secret is right (and, from the account
   * page, the password); returns the recovery codes, shown this once.
   */
  async completeEnrolment(actor: Actor & { id: string }, code: string, password?: string): Promise<string[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await this.person(trx, actor.id)
      if (user.totp_enabled_at) throw new Conflict('Two-factor sign-in is already on.')
      if (password !== undefined && !await verifyPassword(user.password_hash, password)) throw new Invalid({ password: 'Your password is not right.' })
      const step = user.totp_pending_secret ? totpStep(user.totp_pending_secret, code, this.deps.clock.now()) : undefined
      if (step === undefined) throw new Invalid({ code: 'That code is not right. Enter the six digits your app shows for the portal now.' })
      await updateUser(trx, user.id, {
        totp_secret: user.totp_pending_secret, totp_pending_secret: null, totp_enabled_at: new Date(this.deps.clock.now()), totp_last_step: step
      })
      const codes = await this.replaceRecoveryCodes(trx, user.id)
      await audit(trx, actor, { action: 'user.two-factor-enabled', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      return codes
    })
  }

  /** The second sign-in step: a current TOTP code (not one used before) or an unused recovery code. */
  async verifyCode(userId: string, code: string): Promise<{ recoveryCodeUsed: boolean }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await this.person(trx, userId)
      if (!user.totp_secret || !user.totp_enabled_at) throw new Invalid({ code: wrongCode })
      if (looksLikeRecoveryCode(code)) {
        if (!await useRecoveryCode(trx, user.id, recoveryCodeHash(code))) throw new Invalid({ code: wrongCode })
        await audit(trx, { id: user.id, name: user.name }, { action: 'user.recovery-code-used', entity: 'user', entityId: user.id, partnerId: user.partner_id })
        return { recoveryCodeUsed: true }
      }
      const step = totpStep(user.totp_secret, code, this.deps.clock.now())
      if (step === undefined || !await advanceTotpStep(trx, user.id, step)) throw new Invalid({ code: wrongCode })
      return { recoveryCodeUsed: false }
    })
  }

  /** Turns it off from the account page, confirmed with the password and a current code; not while required. */
  async disable(actor: Actor & { id: string }, password: string, code: string): Promise<void> {
    const user = await this.person(this.deps.db, actor.id)
    if (await this.isRequiredFor(user)) {
      throw new Conflict(user.kind === 'staff' ? 'Two-factor sign-in is required for all staff.' : 'Your company requires two-factor sign-in.')
    }
    if (!await verifyPassword(user.password_hash, password)) throw new Invalid({ password: 'Your password is not right.' })
    await this.verifyCode(user.id, code)
    await this.deps.db.transaction().execute(async (trx) => {
      await this.clear(trx, user.id)
      await audit(trx, actor, { action: 'user.two-factor-disabled', entity: 'user', entityId: user.id, partnerId: user.partner_id })
    })
  }

  /** A new set of recovery codes (the old ones stop working), confirmed with the password. */
  async renewRecoveryCodes(actor: Actor & { id: string }, password: string): Promise<string[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await this.person(trx, actor.id)
      if (!user.totp_enabled_at) throw new Conflict('Turn on two-factor sign-in first.')
      if (!await verifyPassword(user.password_hash, password)) throw new Invalid({ password: 'Your password is not right.' })
      const codes = await this.replaceRecoveryCodes(trx, user.id)
      await audit(trx, actor, { action: 'user.recovery-codes-renewed', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      return codes
    })
  }

  /**
   * A staff admin's reset for someone who lost their device: the second factor goes, their sessions
   * end, and they are e-mailed. Where it is required they set it up again at their next sign-in.
   */
  async reset(actor: Actor & { id: string }, userId: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await this.person(trx, userId)
      if (!user.totp_enabled_at) throw new Conflict(`${user.name} does not use two-factor sign-in.`)
      await this.clear(trx, user.id)
      await bumpSessionVersion(trx, user.id)
      await audit(trx, actor, { action: 'user.two-factor-reset', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      await this.deps.mailer.send(trx, {
        to: user.email,
        subject: 'Your two-factor sign-in was reset',
        body: `Hello ${user.name},\n\n${actor.name} reset the two-factor sign-in of your partner portal account, ` +
          'and you were signed out everywhere. Your authenticator app and recovery codes no longer work for it.\n' +
          `Sign in with your password to set it up again: ${this.deps.mailer.link('/signin')}\n\n` +
          'If you did not ask for this, tell your portal administrator at once.\n'
      })
      return user
    })
  }

  /**
   * Requires (or stops requiring) two-factor sign-in for all staff or a company. The admin must use
   * it first; the covered people without it are signed out, to set it up at their next sign-in.
   */
  async setRequired(actor: Actor & { id: string }, scope: 'staff' | { partnerId: string }, required: boolean): Promise<number> {
    return this.deps.db.transaction().execute(async (trx) => {
      const admin = await this.person(trx, actor.id)
      if (required && !admin.totp_enabled_at) throw new Conflict('Turn on two-factor sign-in for yourself first.')
      const key = scope === 'staff' ? 'staff' : `partner:${scope.partnerId}`
      await setRequirement(trx, key, actor.id, required)
      const signedOut = required ? await signOutWithoutSecondFactor(trx, scope === 'staff' ? { kind: 'staff' } : scope) : 0
      await audit(trx, actor, {
        action: required ? 'two-factor.required' : 'two-factor.not-required', entity: scope === 'staff' ? 'staff' : 'partner',
        entityId: scope === 'staff' ? null : scope.partnerId, partnerId: scope === 'staff' ? null : scope.partnerId, after: { signedOut }
      })
      return signedOut
    })
  }

  private async replaceRecoveryCodes(trx: DbOrTrx, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes()
    await deleteRecoveryCodes(trx, userId)
    await insertRecoveryCodes(trx, userId, codes.map(recoveryCodeHash))
    return codes
  }

  private async clear(trx: DbOrTrx, userId: string): Promise<void> {
    await updateUser(trx, userId, { totp_secret: null, totp_enabled_at: null, totp_last_step: null, totp_pending_secret: null })
    await deleteRecoveryCodes(trx, userId)
  }

  private async person(db: DbOrTrx, userId: string): Promise<UserRow> {
    const user = await findUserById(db, userId)
    if (!user) throw new NotFound('The person')
    return user
  }
}
