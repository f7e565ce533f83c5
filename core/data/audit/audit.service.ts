import type { Viewer } from '../../identity/access.ts'
import type { DbOrTrx } from '../database.ts'
import { insertAudit } from './audit.repository.ts'

/** Who did it: a signed-in person, or the system itself (jobs, sign-up, the CLI). */
export type Actor = Pick<Viewer, 'id' | 'name'> | { id: null; name: string }

export const systemActor: Actor = { id: null, name: 'system' }

export interface AuditEntry {
  action: string
  entity: string
  entityId?: string | null
  partnerId?: string | null
  before?: unknown
  after?: unknown
}

/** Writes one audit entry; call it with the transaction that makes the change. */
export async function audit(trx: DbOrTrx, actor: Actor, entry: AuditEntry): Promise<void> {
  await insertAudit(trx, {
    actorId: actor.id,
    actorName: actor.name,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    partnerId: entry.partnerId ?? null,
    before: entry.before,
    after: entry.after
  })
}
