import { sql, type Updateable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { rememberWords, searchVector } from '../../core/data/search.repository.ts'
import { plainText } from '../../core/web/markdown.ts'
import type { ArticleStatus, KnowledgeArticlesTable } from './knowledge.table.ts'

// Categories

export function listCategories(db: DbOrTrx) {
  return db.selectFrom('knowledge_categories').selectAll().orderBy('position').orderBy('name').execute()
}

export function findCategory(db: DbOrTrx, id: string) {
  return db.selectFrom('knowledge_categories').selectAll().where('id', '=', id).executeTakeFirst()
}

export function insertCategory(db: DbOrTrx, category: { parent_id: string | null; name: string; description: string; position: number }) {
  return db.insertInto('knowledge_categories').values(category).returningAll().executeTakeFirstOrThrow()
}

export function updateCategory(db: DbOrTrx, id: string, category: { parent_id: string | null; name: string; description: string; position: number }) {
  return db.updateTable('knowledge_categories').set(category).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteCategory(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('knowledge_categories').where('id', '=', id).execute()
}

/** What is filed under a category directly: subcategories and articles. */
export async function categoryContents(db: DbOrTrx, id: string): Promise<{ children: number; articles: number }> {
  const row = await db.selectNoFrom((eb) => [
    eb.selectFrom('knowledge_categories').select(eb.fn.countAll<number>().as('n')).where('parent_id', '=', id).as('children'),
    eb.selectFrom('knowledge_articles').select(eb.fn.countAll<number>().as('n')).where('category_id', '=', id).as('articles')
  ]).executeTakeFirstOrThrow()
  return { children: Number(row.children ?? 0), articles: Number(row.articles ?? 0) }
}

// Articles (staff)

export const articleColumns = ['id', 'slug', 'category_id', 'title', 'body', 'tags', 'status', 'audience', 'audience_level_id', 'audience_partner_ids',
  'required', 'publish_at', 'published_at', 'review_by', 'author_id', 'author_name', 'submitted_by', 'review_comment', 'version',
  'material_version', 'views', 'helpful', 'unhelpful', 'created_at', 'updated_at'] as const

export interface StaffArticleFilter {
  /** 'due': not archived, and its review date has come. */
  status?: ArticleStatus | 'due'
  categoryId?: string
  q?: string
  after?: { key: string; id: string }
}

export function listArticlesForStaff(db: DbOrTrx, filter: StaffArticleFilter, limit: number) {
  let query = db.selectFrom('knowledge_articles as a').innerJoin('knowledge_categories as c', 'c.id', 'a.category_id')
    .select(['a.id', 'a.slug', 'a.title', 'a.status', 'a.audience', 'a.version', 'a.author_name', 'a.publish_at', 'a.published_at',
      'a.review_by', 'a.updated_at', 'a.views', 'a.helpful', 'a.unhelpful', 'c.name as category_name'])
    .select(sql<string>`a.updated_at::text`.as('updated_key'))
  if (filter.status === 'due') query = query.where('a.status', '<>', 'archived').where(sql<boolean>`a.review_by <= current_date`)
  else if (filter.status) query = query.where('a.status', '=', filter.status)
  if (filter.categoryId) query = query.where('a.category_id', '=', filter.categoryId)
  if (filter.q) query = query.where('a.title', 'ilike', `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`)
  if (filter.after) {
    const after = filter.after
    query = query.where((eb) => eb(eb.refTuple('a.updated_at', 'a.id'), '<', eb.tuple(sql<Date>`${after.key}::timestamptz`, after.id)))
  }
  return query.orderBy('a.updated_at', 'desc').orderBy('a.id', 'desc').limit(limit).execute()
}

export function findArticle(db: DbOrTrx, id: string) {
  return db.selectFrom('knowledge_articles').select(articleColumns).where('id', '=', id).executeTakeFirst()
}

export function findArticleBySlug(db: DbOrTrx, slug: string) {
  return db.selectFrom('knowledge_articles').select(['id']).where('slug', '=', slug).executeTakeFirst()
}

export function lockArticle(db: DbOrTrx, id: string) {
  return db.selectFrom('knowledge_articles').select(articleColumns).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function slugTaken(db: DbOrTrx, slug: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('knowledge_articles').select('id').where('slug', '=', slug)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export interface ArticleContent { slug: string; category_id: string; title: string; body: string; tags: string[] }

/** The content and its search vector in one statement, and its words for typo correction, in the caller's transaction. */
function withSearch(content: ArticleContent) {
  const bodyText = plainText(content.body)
  return { ...content, body_text: bodyText, search: searchVector([[content.title, 'A'], [content.tags.join(' '), 'B'], [bodyText, 'C']]) }
}

export async function insertArticle(trx: DbOrTrx, content: ArticleContent, author: { id: string | null; name: string }) {
  const row = await trx.insertInto('knowledge_articles')
    .values({ ...withSearch(content), author_id: author.id, author_name: author.name })
    .returning(articleColumns).executeTakeFirstOrThrow()
  await rememberWords(trx, 'knowledge_words', `${content.title} ${content.tags.join(' ')} ${content.body}`)
  return row
}

export async function updateArticleContent(trx: DbOrTrx, id: string, content: ArticleContent, version: { version: number; material: boolean }) {
  const row = await trx.updateTable('knowledge_articles')
    .set({ ...withSearch(content), version: version.version, updated_at: sql`now()`, ...(version.material ? { material_version: version.version } : {}) })
    .where('id', '=', id).returning(articleColumns).executeTakeFirstOrThrow()
  await rememberWords(trx, 'knowledge_words', `${content.title} ${content.tags.join(' ')} ${content.body}`)
  return row
}

export type ArticleChanges = Pick<Updateable<KnowledgeArticlesTable>, 'status' | 'publish_at' | 'published_at' | 'submitted_by' | 'review_comment' |
  'audience' | 'audience_level_id' | 'audience_partner_ids' | 'required' | 'review_by'>

export function updateArticle(trx: DbOrTrx, id: string, changes: ArticleChanges) {
  return trx.updateTable('knowledge_articles').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).returning(articleColumns).executeTakeFirstOrThrow()
}

/** Scheduled articles whose time has come, locked for the job that publishes them. */
export function dueScheduled(trx: DbOrTrx, id: string) {
  return trx.selectFrom('knowledge_articles').select(['id', 'title']).where('id', '=', id).where('status', '=', 'scheduled')
    .where('publish_at', '<=', sql<Date>`now()`).forUpdate().executeTakeFirst()
}

export async function publishScheduled(trx: DbOrTrx, id: string): Promise<void> {
  await trx.updateTable('knowledge_articles').set({ status: 'published', published_at: sql`publish_at`, publish_at: null, updated_at: sql`now()` })
    .where('id', '=', id).execute()
}

/** An article whose review date is still this one and that is not archived, with its author's address. */
export function reviewDue(trx: DbOrTrx, id: string, reviewBy: string) {
  return trx.selectFrom('knowledge_articles as a').leftJoin('users as u', 'u.id', 'a.author_id')
    .where('a.id', '=', id).where('a.status', '<>', 'archived').where(sql<boolean>`a.review_by = ${reviewBy}::date`)
    .select(['a.title', 'a.author_name', 'u.email as author_email']).executeTakeFirst()
}

// Versions

export async function insertVersion(trx: DbOrTrx, articleId: string, version: number, content: ArticleContent,
  meta: { note: string; material: boolean; author: { id: string | null; name: string } }): Promise<void> {
  await trx.insertInto('knowledge_versions').values({
    article_id: articleId, version, title: content.title, body: content.body, tags: content.tags, category_id: content.category_id,
    note: meta.note, material: meta.material, author_id: meta.author.id, author_name: meta.author.name
  }).execute()
}

export function listVersions(db: DbOrTrx, articleId: string) {
  return db.selectFrom('knowledge_versions').select(['version', 'title', 'note', 'material', 'author_name', 'created_at'])
    .where('article_id', '=', articleId).orderBy('version', 'desc').execute()
}

export function findVersion(db: DbOrTrx, articleId: string, version: number) {
  return db.selectFrom('knowledge_versions').selectAll().where('article_id', '=', articleId).where('version', '=', version).executeTakeFirst()
}
