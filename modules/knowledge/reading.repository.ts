import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { Database, DbOrTrx } from '../../core/data/database.ts'
import { readableBy } from '../../core/identity/audience.repository.ts'
import type { Reader } from '../../core/identity/audience.ts'
import type { KnowledgeArticlesTable } from './knowledge.table.ts'
import { plannedEachTime, searchConfig, searchHeadline, searchRank, webQuery } from '../../core/data/search.repository.ts'

/**
 * What readers (partners, visitors) see of the knowledge base: published articles within their
 * audience, every query filtered by `readableBy` — lists, counts, search, titles of linked articles.
 */
type Articles = SelectQueryBuilder<Database & { a: KnowledgeArticlesTable }, 'a', object>

function published(db: DbOrTrx, reader: Reader): Articles {
  return db.selectFrom('knowledge_articles as a').where('a.status', '=', 'published').where(readableBy(reader, 'a'))
}

const summaryColumns = ['a.id', 'a.slug', 'a.title', 'a.tags', 'a.category_id', 'a.published_at', 'a.updated_at', 'a.views', 'a.helpful', 'a.unhelpful'] as const

export function readableArticle(db: DbOrTrx, reader: Reader, slug: string) {
  return published(db, reader).where('a.slug', '=', slug)
    .select([...summaryColumns, 'a.body', 'a.required', 'a.material_version', 'a.version']).executeTakeFirst()
}

/** Published articles the reader may read, per category (the category's own, not its subcategories'), from the counts a trigger keeps. */
export function countsByCategory(db: DbOrTrx, reader: Reader) {
  return db.selectFrom('knowledge_category_counts as c').where(readableBy(reader, 'c')).where('c.articles', '>', 0)
    .select(['c.category_id', sql<number>`sum(c.articles)`.as('articles')]).groupBy('c.category_id').execute()
}

export interface ListFilter { categoryIds?: string[]; tag?: string; sort: 'latest' | 'helpful' }

export async function listReadable(db: DbOrTrx, reader: Reader, filter: ListFilter, limit: number, offset: number) {
  let query = published(db, reader)
  if (filter.categoryIds) query = query.where('a.category_id', 'in', filter.categoryIds.length ? filter.categoryIds : [null as unknown as string])
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(a.tags)`)
  const ordered = filter.sort === 'helpful'
    ? query.orderBy(sql`a.helpful - a.unhelpful`, 'desc').orderBy('a.helpful', 'desc')
    : query.orderBy('a.published_at', 'desc')
  return ordered.orderBy('a.id').select(summaryColumns).limit(limit).offset(offset).execute()
}

export interface SearchFilter { text: string; corrected: string | null; categoryIds?: string[]; tag?: string }

/**
 * How many of the newest matches a search ranks. A word in most of 100,000 articles would otherwise
 * rank every one of them on each page; past this many matches the total reads "more than".
 */
export const searchRanked = 200

/**
 * Ranked search in web-search syntax; `corrected` is the same query with its misspelt words
 * replaced by words that exist, searched as well. The newest `searchRanked` matches are ranked,
 * title matches above body matches through the vector's weights; `total` stops at one more than that.
 */
export async function searchReadable(db: DbOrTrx, reader: Reader, filter: SearchFilter, limit: number, offset: number) {
  if (offset >= searchRanked) return []
  const typed = webQuery(filter.text)
  const query = filter.corrected ? sql`(${typed} || ${webQuery(filter.corrected)})` : typed
  let matches = published(db, reader).where(sql<boolean>`a.search @@ ${query}`)
  if (filter.categoryIds) matches = matches.where('a.category_id', 'in', filter.categoryIds.length ? filter.categoryIds : [null as unknown as string])
  if (filter.tag) matches = matches.where(sql<boolean>`${filter.tag} = any(a.tags)`)
  const newest = matches.select('a.id').orderBy('a.published_at', 'desc').orderBy('a.id').limit(searchRanked + 1)
  return db.selectFrom(newest.as('m')).innerJoin('knowledge_articles as a', 'a.id', 'm.id').modifyFront(plannedEachTime)
    .select(summaryColumns)
    .select([
      searchRank(sql`a.search`, query).as('rank'),
      searchHeadline(sql`a.body_text`, query).as('snippet'),
      searchHeadline(sql`a.title`, query, { whole: true }).as('title_html'),
      sql<number>`count(*) over ()`.as('total')
    ])
    .orderBy('rank', 'desc').orderBy('a.published_at', 'desc').orderBy('a.id').limit(Math.min(limit, searchRanked - offset)).offset(offset).execute()
}

/** Titles of the articles with these slugs that the reader may read: for links between articles. */
export function titlesOf(db: DbOrTrx, reader: Reader, slugs: string[]) {
  if (slugs.length === 0) return Promise.resolve([])
  return published(db, reader).where('a.slug', 'in', slugs).select(['a.slug', 'a.title']).execute()
}

/**
 * Articles like this one that the reader may read, chosen among a few candidates of each kind —
 * sharing a tag, the newest sharing words of its title ("more like this" from the search), in its
 * category's newest — and ordered by the tags shared, then sharing words of its title, then helpfulness.
 */
export function related(db: DbOrTrx, reader: Reader, article: { id: string; title: string; tags: string[]; category_id: string }, limit: number) {
  const tags = sql`${article.tags}::text[]`
  const like = sql`replace(plainto_tsquery(${sql.lit(searchConfig)}::regconfig, ${article.title})::text, '&', '|')::tsquery`
  const some = (condition: Expression<SqlBool>) => published(db, reader).where('a.id', '<>', article.id).where(condition).select('a.id').limit(30)
  const recent = (condition: Expression<SqlBool>) => some(condition).orderBy('a.published_at', 'desc')
  // Any thirty sharing a tag: they are ordered by the tags they share, and reading them newest first would walk every article.
  const candidates = sql<{ id: string; alike: number }>`(select id, max(alike) as alike from (
    select id, 0 as alike from (${some(sql`a.tags && ${tags}`)}) t
    union all select id, 1 from (${recent(sql`a.search @@ ${like}`)}) w
    union all select id, 0 from (${recent(sql`a.category_id = ${article.category_id}`)}) c) k group by id)`
  return db.selectFrom(candidates.as('k')).innerJoin('knowledge_articles as a', 'a.id', 'k.id')
    .select(['a.slug', 'a.title'])
    .orderBy(sql`cardinality(array(select unnest(a.tags) intersect select unnest(${tags})))`, 'desc')
    .orderBy('k.alike', 'desc').orderBy('a.helpful', 'desc').orderBy('a.id').limit(limit).execute()
}

/** The number every change to what readers can find raises (see VersionedCache). */
export async function knowledgeVersion(db: DbOrTrx): Promise<string> {
  return (await db.selectFrom('knowledge_version').select('version').executeTakeFirstOrThrow()).version
}

export interface LoggedSearch { id: string; query: string; results: number; searched_at: Date; clicked_at: Date | null }

/** Searches logged in memory, written in one statement. */
export async function insertSearches(trx: DbOrTrx, searches: LoggedSearch[]): Promise<void> {
  if (searches.length) await trx.insertInto('knowledge_searches').values(searches).execute()
}

/** A result of the search was opened (the first time counts). */
export async function searchClicked(trx: DbOrTrx, id: string, at: Date): Promise<void> {
  await trx.updateTable('knowledge_searches').set({ clicked_at: at }).where('id', '=', id).where('clicked_at', 'is', null).execute()
}
