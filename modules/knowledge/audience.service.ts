import type { Db } from '../../core/data/database.ts'
import { visitor, type Reader, type ReaderRef } from '../../core/identity/audience.ts'
import { levelsCoveredBy, levelsCoveredQuery } from '../../core/identity/audience.repository.ts'
import { isActivePartner, isStaff, type Viewer } from '../../core/identity/access.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'

/**
 * Who a viewer reads as, under the audience rule of core/identity/audience.ts: staff, a partner
 * with the levels their company's level covers, or a visitor. Exported for other features whose
 * content has an audience (forums).
 */
export class Readers {
  constructor(private readonly deps: { db: Db }) {}

  async of(viewer: Viewer | null): Promise<Reader> {
    const ref = this.ref(viewer)
    return ref.kind === 'partner' ? { ...ref, levelIds: await levelsCoveredBy(this.deps.db, ref.partnerId) } : ref
  }

  /** Who the viewer reads as, before their levels are read. */
  ref(viewer: Viewer | null): ReaderRef {
    if (isStaff(viewer)) return { kind: 'staff' }
    if (!isActivePartner(viewer)) return visitor
    return { kind: 'partner', partnerId: viewer.partnerId }
  }

  /** The reader with their levels, read through the page loader in the page's round trip. */
  async withLevels(ref: ReaderRef, load: PageLoader): Promise<Reader> {
    return ref.kind === 'partner' ? { ...ref, levelIds: await load(`levels:${ref.partnerId}`, () => levelsCoveredQuery(ref.partnerId)) } : ref
  }
}
