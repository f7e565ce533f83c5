import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'

/** One vote per person and article: a second replaces the first, and the article's tallies are counted again. */
export async function saveVote(trx: DbOrTrx, vote: { article_id: string; user_id: string; helpful: boolean; comment: string | null }): Promise<void> {
  await trx.insertInto('knowledge_votes').values(vote)
    .onConflict((oc) => oc.columns(['article_id', 'user_id']).doUpdateSet({ helpful: vote.helpful, comment: vote.comment, voted_at: sql`now()` }))
    .execute()
  await trx.updateTable('knowledge_articles').set({
    helpful: sql`(select count(*) from knowledge_votes v where v.article_id = ${vote.article_id} and v.helpful)`,
    unhelpful: sql`(select count(*) from knowledge_votes v where v.article_id = ${vote.article_id} and not v.helpful)`
  }).where('id', '=', vote.article_id).execute()
}
