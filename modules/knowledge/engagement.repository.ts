import { sql, type Compilable, type InferResult, type RawBuilder } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { readableByPartner } from '../../core/identity/audience.repository.ts'

/** Views counted in memory, added in one statement per article and day. */
export async function addViews(trx: DbOrTrx, counts: Array<[articleId: string, views: number]>): Promise<void> {
  for (const [articleId, views] of counts) {
    await trx.insertInto('knowledge_views').values({ article_id: articleId, day: sql<string>`current_date`, views })
      .onConflict((oc) => oc.columns(['article_id', 'day']).doUpdateSet({ views: sql`knowledge_views.views + ${views}` }))
      .execute()
    await trx.updateTable('knowledge_articles').set({ views: sql`views + ${views}` }).where('id', '=', articleId).execute()
  }
}

export async function acknowledge(trx: DbOrTrx, articleId: string, userId: string, version: number): Promise<void> {
  await trx.insertInto('knowledge_acknowledgements').values({ article_id: articleId, user_id: userId, version })
    .onConflict((oc) => oc.columns(['article_id', 'user_id']).doUpdateSet({ version, acknowledged_at: sql`now()` }))
    .execute()
}

/** Published required reading the reader may read and this user has not acknowledged since its last material change. */
export interface DashboardCard {
  toRead: Array<{ slug: string; title: string; acknowledged_version: number | null }>
  newest: Array<{ slug: string; title: string; published_at: string }>
}

/** The partner dashboard's card: required reading still to do and the newest articles, as one value for the page loader. */
export function dashboardCardQuery(partnerId: string, userId: string, limits: { toRead: number; newest: number }): RawBuilder<DashboardCard> {
  const readable = readableByPartner(partnerId, 'a')
  return sql<DashboardCard>`select json_build_object(
    'toRead', array(select row_to_json(x) from (
      select a.slug, a.title, k.version as acknowledged_version
      from knowledge_articles a left join knowledge_acknowledgements k on k.article_id = a.id and k.user_id = ${userId}
      where a.status = 'published' and a.required and ${readable} and (k.version is null or k.version < a.material_version)
      order by a.published_at desc limit ${sql.lit(limits.toRead)}) x),
    'newest', array(select row_to_json(x) from (
      select a.slug, a.title, a.published_at from knowledge_articles a
      where a.status = 'published' and ${readable}
      order by a.published_at desc, a.id limit ${sql.lit(limits.newest)}) x))`
}

// Insight for staff, over the last `days` days

const since = (days: number) => sql<Date>`now() - make_interval(days => ${days})`

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] }

/** One of the lists below as one value for the page loader (its times as text). */
export const listValue = <Q extends Compilable<object>>(query: Q): RawBuilder<Array<Json<InferResult<Q>[number]>>> =>
  sql`select to_json(array(select row_to_json(x) from (${query}) x))`

export function mostRead(db: DbOrTrx, days: number, limit: number) {
  return db.selectFrom('knowledge_views as v').innerJoin('knowledge_articles as a', 'a.id', 'v.article_id')
    .where('v.day', '>=', sql<string>`(${since(days)})::date`)
    .select(['a.id', 'a.title', (eb) => eb.fn.sum<number>('v.views').as('views')])
    .groupBy(['a.id', 'a.title']).orderBy('views', 'desc').orderBy('a.title').limit(limit)
}

export function votesByArticle(db: DbOrTrx, days: number, limit: number, order: 'helpful' | 'unhelpful') {
  const helpful = sql<number>`count(*) filter (where v.helpful)`
  const unhelpful = sql<number>`count(*) filter (where not v.helpful)`
  return db.selectFrom('knowledge_votes as v').innerJoin('knowledge_articles as a', 'a.id', 'v.article_id')
    .where('v.voted_at', '>=', since(days))
    .select(['a.id', 'a.title', helpful.as('helpful'), unhelpful.as('unhelpful')])
    .groupBy(['a.id', 'a.title'])
    .having(order === 'helpful' ? helpful : unhelpful, '>', 0)
    .orderBy(order === 'helpful' ? helpful : unhelpful, 'desc').orderBy('a.title').limit(limit)
}

export function feedback(db: DbOrTrx, days: number, limit: number) {
  return db.selectFrom('knowledge_votes as v').innerJoin('knowledge_articles as a', 'a.id', 'v.article_id')
    .innerJoin('users as u', 'u.id', 'v.user_id')
    .where('v.voted_at', '>=', since(days)).where('v.comment', 'is not', null)
    .select(['a.id', 'a.title', 'v.helpful', 'v.comment', 'v.voted_at', 'u.name'])
    .orderBy('v.voted_at', 'desc').limit(limit)
}

/** The first UTC day of the last `days` days: the searches are counted per day (knowledge_search_days). */
const firstDay = (days: number) => sql<string>`((${since(days)}) at time zone 'UTC')::date`

export function unansweredSearches(db: DbOrTrx, days: number, limit: number) {
  const searches = sql<number>`sum(unanswered)`
  return db.selectFrom('knowledge_search_days').where('day', '>=', firstDay(days)).where('unanswered', '>', 0)
    .select(['query', searches.as('searches'), (eb) => eb.fn.max('last_unanswered').as('last')])
    .groupBy('query').orderBy(searches, 'desc').orderBy('query').limit(limit)
}

/** Searches that found articles of which the reader opened none, most often first, with how often they were searched in all. */
export function unclickedSearches(db: DbOrTrx, days: number, limit: number) {
  const unclicked = sql<number>`sum(unclicked)`
  return db.selectFrom('knowledge_search_days').where('day', '>=', firstDay(days)).where('found', '>', 0)
    .select(['query', unclicked.as('unclicked'), sql<number>`sum(found)`.as('searches')])
    .groupBy('query').having(unclicked, '>', 0).orderBy(unclicked, 'desc').orderBy('query').limit(limit)
}
