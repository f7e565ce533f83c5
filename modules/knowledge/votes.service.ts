import type { Static } from 'typebox'
import type { Db } from '../../core/data/database.ts'
import type { PartnerViewer } from '../../core/identity/access.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { NotFound } from '../../core/lib/errors.ts'
import * as reading from './reading.repository.ts'
import type { VoteForm } from './knowledge.schemas.ts'
import * as repo from './votes.repository.ts'

/** "Was this helpful?": one vote per partner user and article, changeable; the comment is for staff only. */
export class KnowledgeVotes {
  constructor(private readonly deps: { db: Db }) {}

  async vote(viewer: PartnerViewer, reader: Reader, slug: string, form: Static<typeof VoteForm>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const article = await reading.readableArticle(trx, reader, slug)
      if (!article) throw new NotFound('The article')
      await repo.saveVote(trx, { article_id: article.id, user_id: viewer.id, helpful: form.helpful === 'yes', comment: form.comment || null })
    })
  }
}
