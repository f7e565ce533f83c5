import type { Db } from '../../core/data/database.ts'
import { corrections } from '../../core/data/search.repository.ts'
import type { Reader, ReaderRef } from '../../core/identity/audience.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { VersionedCache } from '../../core/lib/versioned-cache.ts'
import * as reading from './reading.repository.ts'
import { articleOf, categoryOf, readerPage, summaryOf, type ReadableArticle } from './reading.repository.ts'
import * as repo from './knowledge.repository.ts'
import { buildTree, subtreeIds, type CategoryNode } from './categories.service.ts'
import { linkedSlugs, renderArticle, type RenderedArticle } from './markdown.ts'
import { SearchLog } from './search-log.ts'
import type { Readers } from './audience.service.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'

export const resultsPerPage = 10

/** `searchId`: the logged search a later page of results belongs to, so a click there counts for it. */
export interface SearchInput { q: string; category?: string; tag?: string; page: number; searchId?: string }

/** Readers who find the same: staff, visitors, or one partner company with the levels it covers. */
const readerKey = (reader: Reader) => (reader.kind === 'partner' ? `partner:${reader.partnerId}:${[...reader.levelIds].sort().join(',')}` : reader.kind)

/** Pages of numbered results of `total`: the items, the page, and whether there is a next one. */
const paged = <T>(rows: T[], page: number, total: number) => ({ items: rows, page, total, next: total > page * resultsPerPage })

/**
 * The knowledge base as partners and visitors read it. Every call takes the reader (audience.service.ts);
 * what is outside their audience is absent: not listed, not counted, not found (404), not linked.
 */
export class KnowledgeReading {
  readonly #results = new VersionedCache<Awaited<ReturnType<typeof reading.searchReadable>>>(500)
  // An article's Markdown parsed and rendered once per saved version (and reader's area and linked titles), not on every view.
  readonly #links = new VersionedCache<string[]>(1000)
  readonly #rendered = new VersionedCache<RenderedArticle>(1000)
  readonly #context = new VersionedCache<Awaited<ReturnType<KnowledgeReading['context']>>>(2000)

  readonly #log: SearchLog

  constructor(private readonly deps: { db: Db; readers: Readers; pageLoader: () => PageLoader; flushMs?: number }) {
    this.#log = new SearchLog(deps)
  }

  /** The titles of the articles with these slugs that the reader may read, for links to them from elsewhere (forum posts). */
  async titles(reader: Reader, slugs: string[]): Promise<Map<string, string>> {
    const rows = await reading.titlesOf(this.deps.db, reader, [...new Set(slugs)].slice(0, 100))
    return new Map(rows.map((r) => [r.slug, r.title]))
  }

  /** The categories with the number of articles the reader may read in each and below; empty branches left out. */
  async categories(ref: Reader | ReaderRef, load = this.deps.pageLoader()): Promise<{ roots: CategoryNode[]; flat: CategoryNode[]; counts: Map<string, number>; byId: Map<string, CategoryNode> }> {
    const [rows, own] = await Promise.all([load('categories', readerPage.categories), load('counts', () => readerPage.counts(ref))])
    const tree = buildTree(rows.map(categoryOf))
    const ownCount = new Map(own.map((c) => [c.category_id, Number(c.articles)]))
    const counts = new Map(tree.flat.map((node) => [node.id, subtreeIds(node).reduce((n, id) => n + (ownCount.get(id) ?? 0), 0)]))
    const visible = (node: CategoryNode): CategoryNode => ({ ...node, children: node.children.filter((c) => counts.get(c.id)).map(visible) })
    const roots = tree.roots.filter((c) => counts.get(c.id)).map(visible)
    return { roots, flat: tree.flat.filter((c) => counts.get(c.id)), counts, byId: tree.byId }
  }

  /** The knowledge base's front page, in one round trip. */
  async home(ref: ReaderRef) {
    const load = this.deps.pageLoader()
    const [categories, latest, helpful] = await Promise.all([
      this.categories(ref, load),
      load('latest', () => readerPage.list(this.deps.db, ref, { sort: 'latest' }, 5)),
      load('helpful', () => readerPage.list(this.deps.db, ref, { sort: 'helpful' }, 5))
    ])
    return { categories, latest: latest.map(summaryOf), helpful: helpful.map(summaryOf).filter((a) => a.helpful > 0) }
  }

  /** A category's articles and those of its subcategories; a category with none for the reader is not found. */
  async category(reader: ReaderRef, id: string, page: number) {
    const categories = await this.categories(reader)
    const node = categories.byId.get(id)
    if (!node || !categories.counts.get(id)) throw new NotFound('The category')
    const rows = await reading.listReadable(this.deps.db, reader, { categoryIds: subtreeIds(node), sort: 'latest' }, resultsPerPage, (page - 1) * resultsPerPage)
    const children = node.children.filter((c) => categories.counts.get(c.id))
    return { category: node, children, counts: categories.counts, results: paged(rows, page, categories.counts.get(id) ?? 0) }
  }

  /**
   * The article for a reader who reads articles under `base`, rendered, with its place in the tree and
   * related articles, and with `userId` that user's vote and acknowledgement. The article, its files,
   * the vote, the reader's levels and the knowledge version are read in one round trip; what depends
   * only on what readers can find (related articles, linked titles, the breadcrumbs) is kept under
   * that version, and the rendering per saved version of the article.
   */
  async article(ref: ReaderRef, slug: string, base: string, userId?: string) {
    const load = this.deps.pageLoader()
    const none = Promise.resolve(null)
    const [reader, version, row, attachments, vote, acknowledgement] = await Promise.all([
      this.deps.readers.withLevels(ref, load),
      load('version', readerPage.version), load('article', () => readerPage.article(ref, slug)), load('attachments', () => readerPage.attachments(slug)),
      userId ? load('vote', () => readerPage.vote(slug, userId)) : none,
      userId ? load('acknowledgement', () => readerPage.acknowledgement(slug, userId)) : none
    ])
    if (!row) throw new NotFound('The article')
    const article = articleOf(row)
    const saved = `${article.version}:${article.updated_at.getTime()}`
    let links = this.#links.get(article.id, saved)
    if (!links) this.#links.set(article.id, saved, links = linkedSlugs(article.body))
    const contextKey = JSON.stringify([readerKey(reader), article.id, links])
    let context = this.#context.get(contextKey, version)
    if (!context) this.#context.set(contextKey, version, context = await this.context(reader, article, links))
    const key = JSON.stringify([article.id, base, context.titles])
    let rendered = this.#rendered.get(key, saved)
    if (!rendered) this.#rendered.set(key, saved, rendered = renderArticle(article.body, { base, titles: new Map(context.titles) }))
    return {
      article, ...rendered, related: context.related, breadcrumbs: context.breadcrumbs,
      attachments: attachments.map((a) => ({ ...a, created_at: new Date(a.created_at) })),
      vote: vote && { ...vote, voted_at: new Date(vote.voted_at) },
      acknowledged: acknowledgement && { ...acknowledgement, acknowledged_at: new Date(acknowledgement.acknowledged_at) }
    }
  }

  /** What an article's page shows around it for a reader: the titles of the articles it links to, related articles, its category's path. */
  private async context(reader: Reader, article: ReadableArticle, links: string[]) {
    const [titles, related, categories] = await Promise.all([
      reading.titlesOf(this.deps.db, reader, links), reading.related(this.deps.db, reader, article, 5), repo.listCategories(this.deps.db)
    ])
    const breadcrumbs = buildTree(categories).byId.get(article.category_id)?.path ?? []
    return { titles: titles.map((t): [string, string] => [t.slug, t.title]), related, breadcrumbs }
  }

  /** What a search starts from, in one round trip: the reader with their levels, the categories they may read, the knowledge version. */
  private async searchContext(ref: ReaderRef) {
    const load = this.deps.pageLoader()
    const [reader, categories, version] = await Promise.all([this.deps.readers.withLevels(ref, load), this.categories(ref, load), load('version', readerPage.version)])
    return { reader, categories, version }
  }

  /**
   * For the API: a search when there is a query (not logged for staff's insight, which is about
   * people), else the newest articles; numbered pages of `perPage`.
   */
  async list(ref: ReaderRef, input: { q: string; category?: string; tag?: string; page: number; perPage: number }) {
    const { reader, categories, version } = await this.searchContext(ref)
    const node = input.category ? categories.byId.get(input.category) : undefined
    if (input.category && !node) return { items: [], next: false }
    const filter = { categoryIds: node ? subtreeIds(node) : undefined, tag: input.tag || undefined }
    const offset = (input.page - 1) * input.perPage
    const text = input.q.trim().slice(0, 200)
    if (text) {
      const rows = await this.ranked(reader, version, text, filter, input.perPage, offset)
      return { items: rows, next: Math.min(rows[0]?.total ?? 0, reading.searchRanked) > offset + rows.length }
    }
    const rows = await reading.listReadable(this.deps.db, reader, { ...filter, sort: 'latest' }, input.perPage + 1, offset)
    return { items: rows.slice(0, input.perPage), next: rows.length > input.perPage }
  }

  /**
   * A page of ranked results, kept in memory under the knowledge version (read before searching, so
   * a change committed meanwhile only makes the next search look again): the same search by a reader
   * of the same audience is answered from memory until anything a reader can find changes.
   */
  private async ranked(reader: Reader, version: string, text: string, filter: { categoryIds?: string[]; tag?: string }, limit: number, offset: number) {
    const key = JSON.stringify([readerKey(reader), text, filter.categoryIds ?? null, filter.tag ?? null, limit, offset])
    const kept = this.#results.get(key, version)
    if (kept) return kept
    const rows = await reading.searchReadable(this.deps.db, reader, { text, corrected: await this.corrected(text), ...filter }, limit, offset)
    this.#results.set(key, version, rows)
    return rows
  }

  /** The query with its misspelt words replaced by the nearest words the articles hold, or null when none is. */
  private async corrected(text: string): Promise<string | null> {
    const fixes = await corrections(this.deps.db, 'knowledge_words', text.match(/[\p{L}\p{N}]+/gu) ?? [])
    return fixes.size ? text.replace(/[\p{L}\p{N}]+/gu, (w) => fixes.get(w.toLowerCase()) ?? w) : null
  }

  /** Ranked, highlighted results of what the reader may read; every search is logged with its number of results for staff. */
  async search(ref: ReaderRef, input: SearchInput) {
    const text = input.q.trim().slice(0, 200)
    const { reader, categories, version } = await this.searchContext(ref)
    if (!text) return { categories, results: paged([], 1, 0), text }
    const node = input.category ? categories.byId.get(input.category) : undefined
    const rows = await this.ranked(reader, version, text, { categoryIds: node ? subtreeIds(node) : undefined, tag: input.tag || undefined },
      resultsPerPage, (input.page - 1) * resultsPerPage)
    const searchId = input.page === 1 ? this.#log.logged(text, rows[0]?.total ?? 0) : input.searchId
    const found = rows[0]?.total ?? 0
    const total = Math.min(found, reading.searchRanked)
    return { categories, results: { ...paged(rows, input.page, total), more: found > total }, text, searchId }
  }

  /**
   * Articles that may answer a question being written (a case's subject), best first: any of its
   * words may match, misspellings corrected; not logged as a search.
   */
  async suggest(reader: Reader, question: string, limit: number) {
    const words = question.match(/[\p{L}\p{N}]+/gu)?.slice(0, 20) ?? []
    if (words.length === 0) return []
    const corrected = await this.corrected(words.join(' '))
    return reading.searchReadable(this.deps.db, reader, { text: words.join(' or '), corrected: corrected && corrected.split(' ').join(' or ') }, limit, 0)
  }

  /** A reader opened a result of a logged search, so it did not lead nowhere. */
  searchClicked(searchId: string): void {
    this.#log.clicked(searchId)
  }

  /** Writes the searches logged so far (for staff's insight, and when the app stops). */
  flushSearches(): Promise<void> {
    return this.#log.flush()
  }
}
