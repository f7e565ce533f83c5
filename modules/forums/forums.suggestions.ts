import type { SuggestionProvider } from '../../core/features/features.ts'
import { isActivePartner, isStaff } from '../../core/identity/access.ts'

/** Answered threads matching a question being written elsewhere (a case's subject), within the forums the viewer may read. */
export const answeredThreads: SuggestionProvider = {
  id: 'forums',
  label: 'Answered in the forums',
  order: 20,
  async find(cradle, viewer, text, limit) {
    const base = isStaff(viewer) ? '/admin/forums' : isActivePartner(viewer) ? '/portal/forums' : '/forums'
    const rows = await cradle.forumSearch.answered(await cradle.knowledgeReaders.of(viewer), text, limit)
    return rows.map((row) => ({ title: row.title, href: `${base}/t/${row.id}${row.number ? `?from=${row.number}#post-${row.number}` : ''}`, snippet: row.snippet ?? row.title_html }))
  }
}
