import { requireArea, type Area, type PartnerViewer } from './access.ts'

/**
 * What a partner employee may reach in an area: their company's records, and with "own records"
 * only those they own. Partner-facing repository functions take one and put it in the WHERE clause.
 */
export interface Reach {
  partnerId: string
  ownerId: string | null
}

/** The viewer's reach in the area; "none" answers 404, like a page that does not exist. */
export function reachOf(viewer: PartnerViewer, area: Area): Reach {
  const scope = requireArea(viewer, area)
  return { partnerId: viewer.partnerId, ownerId: scope === 'own' ? viewer.id : null }
}
