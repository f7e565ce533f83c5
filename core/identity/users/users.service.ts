import type { Config } from '../../config.ts'
import type { StoredPermissions } from '../access.ts'
import { audit, systemActor, type Actor } from '../../data/audit/audit.service.ts'
import { hashPassword, verifyPassword, decoyHash } from '../auth/passwords.ts'
import { hashToken, newToken } from '../auth/tokens.ts'
import { passwordProblem } from '../auth/password-rules.ts'
import type { Db, DbOrTrx } from '../../data/database.ts'
import { Conflict, Forbidden, Invalid, NotFound } from '../../lib/errors.ts'
import type { Mailer } from '../../background/mail/mailer.ts'
import type { JobRunner } from '../../background/jobs/job-runner.ts'
import type { PageLoader } from '../../web/page-loader.ts'
import {
  activeStaffQuery, bumpSessionVersion, countActiveStaffAdmins, findTokenForUpdate, findUserByEmail, findUserById,
  insertToken, insertUser, listOpenSessions, listStaff, markTokenUsed, revokeOpenTokens, revokeOtherSessions,
  revokeSession, updateUser, type OpenSession, type StaffFilter
} from './users.repository.ts'
import type { UserKind, UserRole, UserRow } from './users.table.ts'

const invitationDays = 7
const resetMinutes = 60

/** Throws unless the password may be used by this person (core/identity/auth/password-rules.ts). */
export function checkNewPassword(password: string, person: { email: string; name: string }, field = 'password'): void {
  const problem = passwordProblem(password, person)
  if (problem) throw new Invalid({ [field]: problem })
}

export interface InviteInput {
  email: string
  name: string
  jobTitle?: string | null
  kind: UserKind
  role: UserRole
  partnerId?: string
  partnerStatus?: string
  /** Unset: every area's defaults. */
  permissions?: StoredPermissions
  invitedBy: string
  organisation: string
}

/** What the audit trail keeps of a user: never the password hash. */
export const userSnapshot = (u: UserRow) => ({
  email: u.email, name: u.name, kind: u.kind, role: u.role, status: u.status,
  partner_id: u.partner_id, phone: u.phone, job_title: u.job_title, permissions: u.permissions
})

export class UsersService {
  constructor(private readonly deps: { db: Db; mailer: Mailer; config: Config; jobs: JobRunner }) {
    deps.jobs.register('user.password-reset', (payload, trx) => this.sendPasswordReset(trx, String(payload.email)))
  }

  /** Checks e-mail and password; every failure reads the same, so it reveals no account. */
  async authenticate(email: string, password: string): Promise<UserRow> {
    const user = await findUserByEmail(this.deps.db, email)
    const ok = await verifyPassword(user?.password_hash ?? decoyHash, password)
    if (!user || !ok || user.status !== 'active') {
      throw new Invalid({ email: 'The e-mail or password is not right.' }, 'Sign-in failed.')
    }
    if (user.kind === 'partner' && user.partner_status === 'suspended') {
      throw new Forbidden('Your company’s access to the portal is suspended. Contact your partner manager.')
    }
    await updateUser(this.deps.db, user.id, { last_sign_in_at: new Date() })
    return user
  }

  /** Creates an active user with a password (the CLI's first staff admin, demo data, sign-up). */
  async createWithPassword(trx: DbOrTrx, actor: Actor, input: Omit<InviteInput, 'invitedBy' | 'organisation'> & { password: string; phone?: string | null; jobTitle?: string | null }): Promise<UserRow> {
    if (await findUserByEmail(trx, input.email)) throw new Conflict(`A user with the e-mail ${input.email} already exists.`)
    checkNewPassword(input.password, input)
    const user = await insertUser(trx, {
      email: input.email, name: input.name, kind: input.kind, role: input.role,
      partner_id: input.partnerId ?? null, partner_status: input.partnerStatus ?? null,
      permissions: JSON.stringify(input.permissions ?? {}),
      phone: input.phone ?? null, job_title: input.jobTitle ?? null,
      password_hash: await hashPassword(input.password), status: 'active'
    })
    await audit(trx, actor, { action: 'user.created', entity: 'user', entityId: user.id, partnerId: user.partner_id, after: userSnapshot(user) })
    return user
  }

  /** Creates an invited user and e-mails them a single-use link to set their password. */
  async invite(trx: DbOrTrx, actor: Actor, input: InviteInput): Promise<UserRow> {
    if (await findUserByEmail(trx, input.email)) throw new Invalid({ email: `${input.email} already has an account.` })
    const user = await insertUser(trx, {
      email: input.email, name: input.name, job_title: input.jobTitle || null, kind: input.kind, role: input.role,
      partner_id: input.partnerId ?? null, partner_status: input.partnerStatus ?? null,
      permissions: JSON.stringify(input.permissions ?? {}), status: 'invited'
    })
    await this.sendInvitation(trx, user, input.invitedBy, input.organisation)
    await audit(trx, actor, { action: 'user.invited', entity: 'user', entityId: user.id, partnerId: user.partner_id, after: userSnapshot(user) })
    return user
  }

  async resendInvitation(trx: DbOrTrx, actor: Actor, user: UserRow, organisation: string): Promise<void> {
    if (user.status !== 'invited') throw new Conflict(`${user.name} has already accepted the invitation.`)
    await revokeOpenTokens(trx, user.id)
    await this.sendInvitation(trx, user, actor.name, organisation)
    await audit(trx, actor, { action: 'user.invitation-resent', entity: 'user', entityId: user.id, partnerId: user.partner_id })
  }

  private async sendInvitation(trx: DbOrTrx, user: UserRow, invitedBy: string, organisation: string): Promise<void> {
    const { token, hash } = newToken()
    await insertToken(trx, { userId: user.id, purpose: 'invite', hash, expiresAt: new Date(Date.now() + invitationDays * 86_400_000) })
    await this.deps.mailer.send(trx, {
      to: user.email,
      subject: `You are invited to the ${organisation} partner portal`,
      body: `Hello ${user.name},\n\n${invitedBy} invited you to the ${organisation} partner portal.\n` +
        `Set your password here (the link works once, for ${invitationDays} days):\n\n` +
        `${this.deps.mailer.link(`/invite/${token}`)}\n`
    })
  }

  /** The invited user behind a link, if the link is still good. */
  async invitation(token: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => (await this.validToken(trx, token, 'invite')).user)
  }

  async acceptInvitation(token: string, password: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const { user, tokenId } = await this.validToken(trx, token, 'invite')
      checkNewPassword(password, user)
      await markTokenUsed(trx, tokenId)
      const updated = await updateUser(trx, user.id, { password_hash: await hashPassword(password), status: 'active' })
      await audit(trx, { id: user.id, name: user.name }, { action: 'user.invitation-accepted', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      return updated
    })
  }

  private async validToken(trx: DbOrTrx, token: string, purpose: 'invite' | 'reset'): Promise<{ user: UserRow; tokenId: string }> {
    const row = await findTokenForUpdate(trx, hashToken(token))
    const user = row && await findUserById(trx, row.user_id)
    if (!row || !user || row.purpose !== purpose || row.used_at || row.expires_at < new Date() || user.status !== (purpose === 'invite' ? 'invited' : 'active')) {
      throw purpose === 'invite'
        ? new NotFound('The invitation', 'This invitation link has already been used or has expired; ask for a new one.')
        : new NotFound('The reset link', 'This link to set a new password has already been used or has expired; ask for a new one.')
    }
    return { user, tokenId: row.id }
  }

  /**
   * "Forgot password": only queues the request, so the answer costs the same, and reads the same,
   * whether or not the address has an account; the job sends the link if it does.
   */
  async requestPasswordReset(email: string): Promise<void> {
    await this.deps.jobs.enqueue(this.deps.db, 'user.password-reset', { email: email.trim().toLowerCase() })
  }

  private async sendPasswordReset(trx: DbOrTrx, email: string): Promise<void> {
    const user = await findUserByEmail(trx, email)
    if (!user || user.status !== 'active') return
    await revokeOpenTokens(trx, user.id)
    const { token, hash } = newToken()
    await insertToken(trx, { userId: user.id, purpose: 'reset', hash, expiresAt: new Date(Date.now() + resetMinutes * 60_000) })
    await this.deps.mailer.send(trx, {
      to: user.email,
      subject: 'Set a new password for the partner portal',
      body: `Hello ${user.name},\n\nSomeone, probably you, asked to set a new password for your partner portal account.\n` +
        `Choose one here (the link works once, for ${resetMinutes} minutes):\n\n${this.deps.mailer.link(`/reset/${token}`)}\n\n` +
        'Setting it signs you out everywhere. If you did not ask, ignore this e-mail: your password stays as it is.\n'
    })
  }

  /** The person behind a reset link, if the link is still good. */
  async passwordReset(token: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => (await this.validToken(trx, token, 'reset')).user)
  }

  /** Sets the password from a reset link, once, and ends every session of the person. */
  async resetPassword(token: string, password: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const { user, tokenId } = await this.validToken(trx, token, 'reset')
      checkNewPassword(password, user)
      await markTokenUsed(trx, tokenId)
      await bumpSessionVersion(trx, user.id)
      const after = await updateUser(trx, user.id, { password_hash: await hashPassword(password) })
      await audit(trx, { id: user.id, name: user.name }, { action: 'user.password-reset', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      return after
    })
  }

  async setStaffRole(actor: Actor, userId: string, role: UserRole): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await this.staffUser(trx, userId)
      if (before.role === role) return before
      if (before.role === 'admin' && await countActiveStaffAdmins(trx) <= 1 && before.status === 'active') {
        throw new Conflict('The portal must keep at least one active staff admin.')
      }
      const after = await updateUser(trx, userId, { role })
      await bumpSessionVersion(trx, userId)
      await audit(trx, actor, { action: 'user.role-changed', entity: 'user', entityId: userId, before: { role: before.role }, after: { role } })
      return after
    })
  }

  async setStaffStatus(actor: Actor, userId: string, active: boolean): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await this.staffUser(trx, userId)
      if (actor.id === userId && !active) throw new Conflict('You cannot deactivate yourself.')
      if (!active && before.role === 'admin' && before.status === 'active' && await countActiveStaffAdmins(trx) <= 1) {
        throw new Conflict('The portal must keep at least one active staff admin.')
      }
      const status = active ? (before.password_hash ? 'active' : 'invited') : 'deactivated'
      const after = await updateUser(trx, userId, { status })
      await bumpSessionVersion(trx, userId)
      await audit(trx, actor, { action: active ? 'user.reactivated' : 'user.deactivated', entity: 'user', entityId: userId, before: { status: before.status }, after: { status } })
      return after
    })
  }

  /** Staff by name, after the last one shown, matching `search` by name or e-mail. */
  staff(filter: StaffFilter): Promise<UserRow[]> {
    return listStaff(this.deps.db, filter)
  }

  /** The active staff by name (id and name), read with a page's other values. */
  activeStaff(load: PageLoader, limit: number): Promise<Array<{ id: string; name: string }>> {
    return load(`active-staff:${limit}`, () => activeStaffQuery(limit))
  }

  async staffUser(db: DbOrTrx, userId: string): Promise<UserRow> {
    const user = await findUserById(db, userId)
    if (!user || user.kind !== 'staff') throw new NotFound('The staff user')
    return user
  }

  async account(userId: string): Promise<UserRow> {
    const user = await findUserById(this.deps.db, userId)
    if (!user) throw new NotFound('Your account')
    return user
  }

  async updateProfile(actor: Actor & { id: string }, changes: { name: string; phone: string; job_title: string }): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await findUserById(trx, actor.id)
      if (!before) throw new NotFound('Your account')
      const after = await updateUser(trx, actor.id, { name: changes.name, phone: changes.phone || null, job_title: changes.job_title || null })
      await audit(trx, actor, { action: 'user.profile-updated', entity: 'user', entityId: actor.id, partnerId: before.partner_id, before: userSnapshot(before), after: userSnapshot(after) })
      return after
    })
  }

  /** Changing the password signs out every other session. */
  async changePassword(actor: Actor & { id: string }, current: string, next: string): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await findUserById(trx, actor.id)
      if (!user || !(await verifyPassword(user.password_hash, current))) {
        throw new Invalid({ current: 'Your current password is not right.' })
      }
      checkNewPassword(next, user)
      await bumpSessionVersion(trx, user.id)
      const after = await updateUser(trx, user.id, { password_hash: await hashPassword(next) })
      await audit(trx, actor, { action: 'user.password-changed', entity: 'user', entityId: user.id, partnerId: user.partner_id })
      return after
    })
  }

  /** The person's open sessions, the most recently used first. */
  sessions(userId: string): Promise<OpenSession[]> {
    return listOpenSessions(this.deps.db, userId)
  }

  /** Ends one of the person's own sessions; another's (or an ended one) is not found. */
  async endSession(actor: Actor & { id: string }, sessionId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      if (!await revokeSession(trx, sessionId, actor.id)) throw new NotFound('The session')
      await audit(trx, actor, { action: 'user.session-ended', entity: 'user', entityId: actor.id, after: { session: sessionId } })
    })
  }

  /** Ends every session of the person but this one; returns how many. */
  async endOtherSessions(actor: Actor & { id: string }, currentSessionId: string): Promise<number> {
    return this.deps.db.transaction().execute(async (trx) => {
      const ended = await revokeOtherSessions(trx, actor.id, currentSessionId)
      await audit(trx, actor, { action: 'user.other-sessions-ended', entity: 'user', entityId: actor.id, after: { sessions: ended } })
      return ended
    })
  }

  async signOutEverywhere(userId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await bumpSessionVersion(trx, userId)
      await audit(trx, systemActor, { action: 'user.signed-out-everywhere', entity: 'user', entityId: userId })
    })
  }
}
