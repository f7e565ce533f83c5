import type { ChannelPermissions } from '../access.ts'
import { audit, type Actor } from '../../data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../data/database.ts'
import { Conflict, NotFound } from '../../lib/errors.ts'
import type { EventBus } from '../../background/events/events.ts'
import {
  bumpSessionVersion, countActivePartnerAdmins, findPartnerUser, listPartnerUsers, setPartnerStatus, updateUser
} from './users.repository.ts'
import type { UserRole, UserRow } from './users.table.ts'
import { userSnapshot } from './users.service.ts'
import './partner-users.events.ts'

const lastAdmin = 'A company must always keep at least one active partner admin.'

/** A partner company's people: every call is scoped by the partner id it is given. */
export class PartnerUsersService {
  constructor(private readonly deps: { db: Db; events: EventBus }) {}

  list(partnerId: string, db: DbOrTrx = this.deps.db): Promise<UserRow[]> {
    return listPartnerUsers(db, partnerId)
  }

  async member(partnerId: string, userId: string, db: DbOrTrx = this.deps.db): Promise<UserRow> {
    const user = await findPartnerUser(db, partnerId, userId)
    if (!user) throw new NotFound('The person')
    return user
  }

  setCompanyStatus(trx: DbOrTrx, partnerId: string, status: string, signOut: boolean): Promise<void> {
    return setPartnerStatus(trx, partnerId, status, signOut)
  }

  async setRole(actor: Actor, partnerId: string, userId: string, role: UserRole): Promise<UserRow> {
    return this.change(actor, partnerId, userId, 'user.role-changed', async (trx, before) => {
      if (before.role === 'admin' && role !== 'admin') await this.keepAnAdmin(trx, partnerId, before)
      const after = await updateUser(trx, userId, { role })
      await bumpSessionVersion(trx, userId)
      return after
    })
  }

  /** Removing access ends their sessions at once; restoring lets them sign in again. */
  async setAccess(actor: Actor, partnerId: string, userId: string, active: boolean): Promise<UserRow> {
    return this.change(actor, partnerId, userId, active ? 'user.reactivated' : 'user.deactivated', async (trx, before) => {
      if (!active && actor.id === userId) throw new Conflict('You cannot remove your own access; ask another partner admin.')
      if (!active) await this.keepAnAdmin(trx, partnerId, before)
      const after = await updateUser(trx, userId, { status: active ? (before.password_hash ? 'active' : 'invited') : 'deactivated' })
      await bumpSessionVersion(trx, userId)
      if (before.status !== after.status) {
        await this.deps.events.emit(trx, active ? 'partner.employee-restored' : 'partner.employee-removed', partnerId, { partnerId, userId, by: actor.id })
      }
      return after
    })
  }

  /** Over the stored ones, so the choices for the areas of an add-on that is disabled now are kept. */
  async setPermissions(actor: Actor, partnerId: string, userId: string, permissions: ChannelPermissions): Promise<UserRow> {
    return this.change(actor, partnerId, userId, 'user.permissions-changed', (trx, before) =>
      updateUser(trx, userId, { permissions: JSON.stringify({ ...before.permissions, ...permissions }) }))
  }

  private async keepAnAdmin(trx: DbOrTrx, partnerId: string, user: UserRow): Promise<void> {
    if (user.role === 'admin' && user.status === 'active' && await countActivePartnerAdmins(trx, partnerId) <= 1) {
      throw new Conflict(lastAdmin)
    }
  }

  private change(actor: Actor, partnerId: string, userId: string, action: string,
    apply: (trx: DbOrTrx, before: UserRow) => Promise<UserRow>): Promise<UserRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await this.member(partnerId, userId, trx)
      const after = await apply(trx, before)
      await audit(trx, actor, { action, entity: 'user', entityId: userId, partnerId, before: userSnapshot(before), after: userSnapshot(after) })
      return after
    })
  }
}
