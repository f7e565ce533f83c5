import type { Db } from '../../core/data/database.ts'
import type { PartnerViewer } from '../../core/identity/access.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { NotFound } from '../../core/lib/errors.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import * as reading from './reading.repository.ts'
import * as repo from './engagement.repository.ts'

/**
 * What readers do with articles: views (counted in memory and written in batches, so a popular
 * article is not one row every reader waits on), required reading acknowledged per version, and
 * staff's insight into what was read, rated and searched for in vain.
 */
export class KnowledgeEngagement {
  private pending = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly deps: { db: Db; pageLoader: () => PageLoader; flushMs?: number }) {}

  /** Counts a view; the count reaches the database with the next batch. */
  viewed(articleId: string): void {
    this.pending.set(articleId, (this.pending.get(articleId) ?? 0) + 1)
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.deps.flushMs ?? 10_000).unref()
  }

  /** Writes the views counted so far (also when the app stops); a failed write puts them back for the next. */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.size === 0) return
    const counts = [...this.pending]
    this.pending = new Map()
    try {
      await this.deps.db.transaction().execute((trx) => repo.addViews(trx, counts))
    } catch (err) {
      for (const [id, n] of counts) this.pending.set(id, (this.pending.get(id) ?? 0) + n)
      throw err
    }
  }

  /** The partner user confirms they read the article's current version. */
  async acknowledge(viewer: PartnerViewer, reader: Reader, slug: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const article = await reading.readableArticle(trx, reader, slug)
      if (!article || !article.required) throw new NotFound('The article')
      await repo.acknowledge(trx, article.id, viewer.id, article.version)
    })
  }

  /** The partner dashboard's card, read with the page's other values in its one round trip. */
  dashboardCard(load: PageLoader, viewer: PartnerViewer) {
    return load('knowledge-card', () => repo.dashboardCardQuery(viewer.partnerId, viewer.id, { toRead: 5, newest: 3 }))
  }

  /** What staff's insight shows over the last `days` days, its six lists read in one round trip. */
  async insight(days: number) {
    const load = this.deps.pageLoader()
    const { db } = this.deps
    const limit = 10
    const [read, helpful, unhelpful, comments, unanswered, unclicked] = await Promise.all([
      load('read', () => repo.listValue(repo.mostRead(db, days, limit))),
      load('helpful', () => repo.listValue(repo.votesByArticle(db, days, limit, 'helpful'))),
      load('unhelpful', () => repo.listValue(repo.votesByArticle(db, days, limit, 'unhelpful'))),
      load('comments', () => repo.listValue(repo.feedback(db, days, 20))),
      load('unanswered', () => repo.listValue(repo.unansweredSearches(db, days, 20))),
      load('unclicked', () => repo.listValue(repo.unclickedSearches(db, days, 20)))
    ])
    return { read, helpful, unhelpful, comments, unanswered, unclicked }
  }
}
