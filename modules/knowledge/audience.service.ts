import type { Db } from '../../core/data/database.ts'
import { visitor, type Reader } from '../../core/identity/audience.ts'
import { levelsCoveredBy } from '../../core/identity/audience.repository.ts'
import { isActivePartner, isStaff, type Viewer } from '../../core/identity/access.ts'

/**
 * Who a viewer reads as, under the audience rule of core/identity/audience.ts: staff, a partner
 * with the levels their company's level covers, or a visitor. Exported for other features whose
 * content has an audience (forums).
 */
export class Readers {
  constructor(private readonly deps: { db: Db }) {}

  async of(viewer: Viewer | null): Promise<Reader> {
    if (isStaff(viewer)) return { kind: 'staff' }
    if (!isActivePartner(viewer)) return visitor
    return { kind: 'partner', partnerId: viewer.partnerId, levelIds: await levelsCoveredBy(this.deps.db, viewer.partnerId) }
  }
}
