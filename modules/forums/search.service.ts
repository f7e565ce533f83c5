import type { Db } from '../../core/data/database.ts'
import type { Reader } from '../../core/identity/audience.ts'
import * as structure from './structure.repository.ts'
import { searchThreads, type ForumSearch } from './forum-search.repository.ts'

export const resultsPerPage = 20

export interface SearchInput { q: string; forum?: string; state?: 'answered' | 'unanswered'; page: number }

/** Full-text search over the threads and replies a reader may read (the PostgreSQL search shared in core). */
export class ForumSearchService {
  constructor(private readonly deps: { db: Db }) {}

  async search(reader: Reader, input: SearchInput) {
    const text = input.q.trim().slice(0, 200)
    const forums = await structure.readableForums(this.deps.db, reader, null)
    const forumId = forums.some((f) => f.id === input.forum) ? input.forum : undefined
    if (!text) return { forums, text, items: [], page: 1, total: 0, next: false }
    const rows = await searchThreads(this.deps.db, reader, { text, forumId, state: input.state }, resultsPerPage, (input.page - 1) * resultsPerPage)
    const total = rows[0]?.total ?? 0
    return { forums, text, items: rows, page: input.page, total, next: total > input.page * resultsPerPage }
  }

  /** Answered threads matching a text, for a question being written elsewhere. */
  answered(reader: Reader, text: string, limit: number) {
    const filter: ForumSearch = { text: text.trim().slice(0, 200), state: 'answered' }
    return filter.text ? searchThreads(this.deps.db, reader, filter, limit, 0) : Promise.resolve([])
  }
}
