import type { Actor } from '../../core/data/audit/audit.service.ts'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { type AttachmentStore, checkedUpload, isImage, type Upload } from '../../core/lib/uploads.ts'
import * as repo from './attachments.repository.ts'
import { findArticle } from './knowledge.repository.ts'

const databaseStore: AttachmentStore = { put: repo.insertFile, get: repo.findFile }

/** Images and files attached to articles, behind a storage interface; fetched only by those who may read the article. */
export class KnowledgeAttachments {
  constructor(private readonly deps: { db: Db; store?: AttachmentStore }) {}

  private get store() {
    return this.deps.store ?? databaseStore
  }

  async add(actor: Actor, articleId: string, file: Upload | undefined) {
    const { name, type, data } = checkedUpload(file)
    return this.deps.db.transaction().execute(async (trx) => {
      if (!await findArticle(trx, articleId)) throw new NotFound('The article')
      const attachment = await repo.insertAttachment(trx, { article_id: articleId, file_name: name, content_type: type, size: data.length, created_by: actor.id })
      await this.store.put(trx, attachment.id, data)
      await audit(trx, actor, { action: 'knowledge.attachment-added', entity: 'knowledge-article', entityId: articleId, after: { file: name, size: data.length } })
      return attachment
    })
  }

  async remove(actor: Actor, articleId: string, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      if (!await repo.deleteAttachment(trx, articleId, id)) throw new NotFound('The attachment')
      await audit(trx, actor, { action: 'knowledge.attachment-removed', entity: 'knowledge-article', entityId: articleId, before: { id } })
    })
  }

  /** The file for a reader who may read its article; anyone else gets 404. */
  async file(reader: Reader, id: string) {
    const attachment = await repo.readableAttachment(this.deps.db, reader, id)
    const data = attachment ? await this.store.get(this.deps.db, id) : undefined
    if (!attachment || !data) throw new NotFound('The file')
    return { ...attachment, data, image: isImage(attachment.content_type) }
  }
}
