import type { SuggestionProvider } from '../../core/features/features.ts'

/** Published articles the viewer may read that match a question being written elsewhere (a case's subject). */
export const articleSuggestions: SuggestionProvider = {
  id: 'knowledge', label: 'Knowledge articles', order: 10,
  async find(cradle, viewer, text, limit) {
    const reader = await cradle.knowledgeReaders.of(viewer)
    const base = viewer.kind === 'partner' ? '/portal/knowledge' : '/kb'
    const rows = await cradle.knowledgeReading.suggest(reader, text, limit)
    return rows.map((a) => ({ title: a.title, href: `${base}/articles/${a.slug}`, snippet: a.snippet }))
  }
}
