import type { Cradle } from '../../core/container.ts'
import { levelsCovered, visitor, type Reader } from '../../core/identity/audience.ts'
import { isActivePartner, isStaff, type Viewer } from '../../core/identity/access.ts'

/**
 * Who a viewer reads as, under the audience rule of core/identity/audience.ts: staff, a partner
 * with the levels their company's level covers, or a visitor. Exported for other features whose
 * content has an audience (forums).
 */
export class Readers {
  constructor(private readonly deps: { partners: Cradle['partners'] }) {}

  async of(viewer: Viewer | null): Promise<Reader> {
    if (isStaff(viewer)) return { kind: 'staff' }
    if (!isActivePartner(viewer)) return visitor
    const [partner, levels] = await Promise.all([this.deps.partners.partner(viewer.partnerId), this.deps.partners.levels()])
    return { kind: 'partner', partnerId: viewer.partnerId, levelIds: levelsCovered(levels, partner.level_id) }
  }
}
