import type { Panel } from '../../core/features/features.ts'

const shown = 10

/** A deal's cases, on the opportunities module's deal page, with "open a case about this deal" for partners. */
export const dealPanel: Panel<'opportunity'> = {
  slot: 'opportunity', id: 'cases', title: 'Support cases', order: 20, area: 'cases',
  render: async ({ cradle, viewer, render }, record) => {
    const staff = viewer.kind === 'staff'
    const rows = await cradle.cases.forDeal(viewer, record.id, shown)
    const mayOpen = !staff && record.partnerId === viewer.partnerId && cradle.cases.mayOpen(viewer)
    return render('cases/panel-deal', { rows, total: Number(rows[0]?.total ?? 0), staff, mayOpen, opportunityId: record.id })
  }
}
