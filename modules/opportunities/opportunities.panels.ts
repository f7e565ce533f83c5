import type { Panel } from '../../core/features/features.ts'

const shown = 10

/** A customer account's latest opportunities, on the customers module's account page, with a link to them all. */
export const accountPanel: Panel = {
  slot: 'customer-account', id: 'opportunities', title: 'Opportunities', order: 10, area: 'opportunities',
  render: async ({ cradle, viewer, render }, record) => {
    const rows = await cradle.pipeline.forAccount(viewer, record.id, shown)
    return render('opportunities/panel-account', { rows, total: Number(rows[0]?.total ?? 0), staff: viewer.kind === 'staff', accountId: record.id })
  }
}
