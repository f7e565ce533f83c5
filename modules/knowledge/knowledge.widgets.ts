import type { Widget } from '../../core/features/features.ts'
import type { PartnerViewer } from '../../core/identity/access.ts'

/** The partner dashboard's knowledge card: required reading still to do, and the newest articles for them. */
export const knowledgeWidget: Widget = {
  audience: 'partner',
  id: 'knowledge',
  title: 'Knowledge',
  order: 40,
  render: async ({ viewer, render, cradle }) => {
    const reader = await cradle.knowledgeReaders.of(viewer)
    const [toRead, newest] = await Promise.all([
      cradle.knowledgeEngagement.toRead(viewer as PartnerViewer, reader), cradle.knowledgeEngagement.newest(reader, 3)
    ])
    return render('knowledge/widget', { toRead, newest })
  }
}
