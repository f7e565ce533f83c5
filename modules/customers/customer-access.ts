import { requireArea, type Action, type PartnerViewer } from '../../core/identity/access.ts'
import { reachOf, type Reach } from '../../core/identity/reach.ts'

/** The viewer's reach in the customers area; "none" answers 404 like a page that does not exist. */
export const customerReach = (viewer: PartnerViewer): Reach => reachOf(viewer, 'customers')

/** Checked after the record is found, so someone else's record answers 404 before any 403. */
export function permitCustomers(viewer: PartnerViewer, action: Action): void {
  requireArea(viewer, 'customers', action)
}
