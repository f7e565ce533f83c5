import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { Database, DbOrTrx } from '../../core/data/database.ts'
import { readableBy, readableByRef } from '../../core/identity/audience.repository.ts'
import type { Reader, ReaderRef } from '../../core/identity/audience.ts'
import type { Selectable } from 'kysely'
import type { KnowledgeArticlesTable, KnowledgeCategoriesTable } from './knowledge.table.ts'
import { plannedEachTime, searchConfig, searchHeadline, searchRank, webQuery } from '../../core/data/search.repository.ts'

/**
 * What readers (partners, visitors) see of the knowledge base: published articles within their
 * audience, every query filtered by `readableBy` — lists, counts, search, titles of linked articles.
 */
type Articles = SelectQueryBuilder<Database & { a: KnowledgeArticlesTable }, 'a', object>

/** The audience rule for a reader whose levels are known, or worked out in the query for one whose are not. */
const readable = (reader: Reader | ReaderRef, table: string) =>
  (reader.kind === 'partner' && 'levelIds' in reader ? readableBy(reader, table) : readableByRef(reader, table))

function published(db: DbOrTrx, reader: Reader | ReaderRef): Articles {
  return db.selectFrom('knowledge_articles as a').where('a.status', '=', 'published').where(readable(reader, 'a'))
}

const summaryColumns = ['a.id', 'a.slug', 'a.title', 'a.tags', 'a.category_id', 'a.published_at', 'a.updated_at', 'a.views', 'a.helpful', 'a.unhelpful'] as const

export function readableArticle(db: DbOrTrx, reader: Reader, slug: string) {
  return published(db, reader).where('a.slug', '=', slug)
    .select([...summaryColumns, 'a.body', 'a.required', 'a.material_version', 'a.version']).executeTakeFirst()
}

export type ReadableArticle = NonNullable<Awaited<ReturnType<typeof readableArticle>>>
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

export type ArticleSummary = Awaited<ReturnType<typeof listReadable>>[number]
type CategoryRow = Selectable<KnowledgeCategoriesTable>

/** A row as PostgreSQL writes it in JSON, and the same with its times read back as dates. */
const withDates = <T extends { published_at: string | null; updated_at: string }>(row: T) =>
  ({ ...row, published_at: row.published_at === null ? null : new Date(row.published_at), updated_at: new Date(row.updated_at) })
export const summaryOf = (row: Json<ArticleSummary>): ArticleSummary => withDates(row)
export const articleOf = (row: Json<ReadableArticle>): ReadableArticle => withDates(row)
export const categoryOf = (row: Json<CategoryRow>): CategoryRow => ({ ...row, created_at: new Date(row.created_at) })

/**
 * What the reader pages read, each a value for the page loader, so that a page's values go to the
 * database together with the reader's levels (which a partner's rule works out in the query). An
 * article's files, vote and acknowledgement are found by its slug and shown only with the article.
 */
export const readerPage = {
  version: (): RawBuilder<string> => sql`select version::text from knowledge_version`,
  categories: (): RawBuilder<Array<Json<CategoryRow>>> =>
    sql`select to_json(array(select row_to_json(c) from (select * from knowledge_categories order by position, name) c))`,
  counts: (reader: Reader | ReaderRef): RawBuilder<Array<{ category_id: string; articles: number }>> => sql`select to_json(array(select row_to_json(x) from (
    select c.category_id, sum(c.articles)::int as articles from knowledge_category_counts c
    where ${readable(reader, 'c')} and c.articles > 0 group by c.category_id) x))`,
  list: (db: DbOrTrx, reader: ReaderRef, filter: ListFilter, limit: number): RawBuilder<Array<Json<ArticleSummary>>> =>
    sql`select to_json(array(select row_to_json(x) from (${readableList(db, reader, filter, limit, 0)}) x))`,
  article: (reader: ReaderRef, slug: string): RawBuilder<Json<ReadableArticle> | null> => sql`select row_to_json(x) from (
    select a.id, a.slug, a.title, a.tags, a.category_id, a.published_at, a.updated_at, a.views, a.helpful, a.unhelpful,
      a.body, a.required, a.material_version, a.version
    from knowledge_articles a where a.slug = ${slug} and a.status = 'published' and ${readableByRef(reader, 'a')}) x`,
  attachments: (slug: string): RawBuilder<Array<{ id: string; file_name: string; content_type: string; size: number; created_at: string }>> =>
    sql`select to_json(array(select row_to_json(x) from (
      select t.id, t.file_name, t.content_type, t.size, t.created_at from knowledge_attachments t join knowledge_articles a on a.id = t.article_id
      where a.slug = ${slug} order by t.created_at) x))`,
  vote: (slug: string, userId: string): RawBuilder<{ helpful: boolean; comment: string | null; voted_at: string } | null> =>
    sql`select row_to_json(x) from (select v.helpful, v.comment, v.voted_at from knowledge_votes v join knowledge_articles a on a.id = v.article_id
      where a.slug = ${slug} and v.user_id = ${userId}) x`,
  acknowledgement: (slug: string, userId: string): RawBuilder<{ version: number; acknowledged_at: string } | null> =>
    sql`select row_to_json(x) from (select k.version, k.acknowledged_at from knowledge_acknowledgements k join knowledge_articles a on a.id = k.article_id
      where a.slug = ${slug} and k.user_id = ${userId}) x`
}

export interface ListFilter { categoryIds?: string[]; tag?: string; sort: 'latest' | 'helpful' }

/** A page of the articles the reader may read; the numbers in the text, as the query may be read inside another (the page loader's). */
function readableList(db: DbOrTrx, reader: Reader | ReaderRef, filter: ListFilter, limit: number, offset: number) {
  let query = published(db, reader)
  if (filter.categoryIds) query = query.where('a.category_id', 'in', filter.categoryIds.length ? filter.categoryIds : [null as unknown as string])
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(a.tags)`)
  const ordered = filter.sort === 'helpful'
    ? query.orderBy(sql`a.helpful - a.unhelpful`, 'desc').orderBy('a.helpful', 'desc')
    : query.orderBy('a.published_at', 'desc')
  return ordered.orderBy('a.id').select(summaryColumns).limit(sql.lit(limit)).offset(sql.lit(offset))
}

export function listReadable(db: DbOrTrx, reader: Reader | ReaderRef, filter: ListFilter, limit: number, offset: number) {
  return readableList(db, reader, filter, limit, offset).execute()
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
 * category's newest — and ordered by the tags shared, then sharing words of its title, then the newest: nothing a vote changes, so the
 * choice stays right under the knowledge version (votes do not raise it).
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
    .orderBy('k.alike', 'desc').orderBy('a.published_at', 'desc').orderBy('a.id').limit(limit).execute()
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
