import type { Widget } from '../../core/features.ts'
import { mailSummary } from '../../core/mail/mail.repository.ts'

/** The admin home's first card: what is waiting in the outbox and the job queue. */
export const systemWidget: Widget = {
  audience: 'staff',
  id: 'system',
  title: 'Mail and background work',
  order: 99,
  render: async ({ cradle, render, viewer }) =>
    render('admin/widget-system', { summary: await mailSummary(cradle.db), canReadOutbox: viewer.role === 'admin' })
}
