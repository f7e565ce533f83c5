import { randomUUID } from 'node:crypto'
import type { Db } from '../../core/data/database.ts'
import { insertSearches, searchClicked, type LoggedSearch } from './reading.repository.ts'

/**
 * The searches readers run, for staff's insight (what found nothing, what found articles nobody
 * opened): kept in memory and written in batches, every ten seconds and when the app stops, so a
 * search is not a write and a commit. A search gets its id at once, so its results can carry it and
 * an opened result marks it clicked, in memory or, once written, in the table.
 */
export class SearchLog {
  private pending = new Map<string, LoggedSearch>()
  private clicks = new Map<string, Date>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly deps: { db: Db; flushMs?: number }) {}

  logged(query: string, results: number): string {
    const id = randomUUID()
    this.pending.set(id, { id, query: query.toLowerCase().slice(0, 200), results, searched_at: new Date(), clicked_at: null })
    this.schedule()
    return id
  }

  clicked(id: string): void {
    const search = this.pending.get(id)
    if (search) search.clicked_at ??= new Date()
    else if (!this.clicks.has(id)) {
      this.clicks.set(id, new Date())
      this.schedule()
    }
  }

  /** Writes what was logged so far; a failed write keeps it for the next. */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.size === 0 && this.clicks.size === 0) return
    const [searches, clicks] = [this.pending, this.clicks]
    this.pending = new Map()
    this.clicks = new Map()
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await insertSearches(trx, [...searches.values()])
        for (const [id, at] of clicks) await searchClicked(trx, id, at)
      })
    } catch (err) {
      for (const [id, search] of searches) this.pending.set(id, search)
      for (const [id, at] of clicks) this.clicks.set(id, at)
      throw err
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.deps.flushMs ?? 10_000).unref()
  }
}
