import type { Panel } from '../../core/features.ts'
import { scopeOf } from '../../core/access.ts'
import { listForAccount } from './opportunities.repository.ts'

const shown = 10

/** A customer account's latest opportunities, on the customers module's account page, with a link to them all. */
export const accountPanel: Panel = {
  slot: 'customer-account', id: 'opportunities', title: 'Opportunities', order: 10, area: 'opportunities',
  render: async ({ cradle, viewer, render }, record) => {
    const staff = viewer.kind === 'staff'
    const ownerId = !staff && scopeOf(viewer, 'opportunities') === 'own' ? viewer.id : null
    const rows = await listForAccount(cradle.db, record.id, staff ? null : viewer.partnerId, ownerId, shown)
    return render('opportunities/panel-account', { rows, total: Number(rows[0]?.total ?? 0), staff, accountId: record.id })
  }
}
