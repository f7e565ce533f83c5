import type { Widget } from '../../core/features/features.ts'

/** The admin home's first card: what is waiting in the outbox and the job queue. */
export const systemWidget: Widget = {
  audience: 'staff',
  id: 'system',
  title: 'Mail and background work',
  order: 99,
  render: async ({ cradle, render, viewer }) =>
    render('admin/widget-system', { summary: await cradle.outbox.summary(), canReadOutbox: viewer.role === 'admin' })
}
