import type { Actor } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import { pageSize, toPage } from '../../core/lib/pagination.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { UserRole } from '../../core/identity/users/users.table.ts'
import type { UsersService } from '../../core/identity/users/users.service.ts'

/** The organisation whose name staff invitations carry. */
const organisation = 'Partner Portal'

/** The company's own people: the staff list, invitations, roles and access (for staff admins). */
export class StaffService {
  constructor(private readonly deps: { db: Db; users: UsersService }) {}

  /** A page of staff by name, after the last one shown (`after`), matching `search` by name or e-mail. */
  async page(filter: { search?: string; after?: { name: string; id: string } }) {
    return toPage(await this.deps.users.staff({ ...filter, limit: pageSize + 1 }), pageSize, (u) => ({ name: u.name, id: u.id }))
  }

  member(id: string) {
    return this.deps.users.staffUser(this.deps.db, id)
  }

  /** Invites a staff member by e-mail; a submission records the new user. */
  invite(actor: Actor & { id: string }, form: { email: string; name: string; role: UserRole }, submission?: Submission) {
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await this.deps.users.invite(trx, actor, { ...form, kind: 'staff', invitedBy: actor.name, organisation })
      await submission?.record(trx, user.id)
      return user
    })
  }

  /** A new invitation link; the old one stops working. */
  async resendInvitation(actor: Actor & { id: string }, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.deps.users.staffUser(trx, id)
      await this.deps.users.resendInvitation(trx, actor, user, organisation)
    })
  }

  setRole(actor: Actor, id: string, role: UserRole) {
    return this.deps.users.setStaffRole(actor, id, role)
  }

  setActive(actor: Actor, id: string, active: boolean) {
    return this.deps.users.setStaffStatus(actor, id, active)
  }
}
