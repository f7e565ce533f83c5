import type { Panel } from '../../core/features.ts'
import { scopeOf } from '../../core/access.ts'
import { listForAccount } from './opportunities.repository.ts'

/** A customer account's opportunities, on the customers module's account page. */
export const accountPanel: Panel = {
  slot: 'customer-account', id: 'opportunities', title: 'Opportunities', order: 10, area: 'opportunities',
  render: async ({ cradle, viewer, render }, record) => {
    const staff = viewer.kind === 'staff'
    const ownerId = !staff && scopeOf(viewer, 'opportunities') === 'own' ? viewer.id : null
    const rows = await listForAccount(cradle.db, record.id, staff ? null : viewer.partnerId, ownerId)
    return render('opportunities/panel-account', { rows, staff, accountId: record.id })
  }
}
