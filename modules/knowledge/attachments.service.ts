import type { Actor } from '../../core/data/audit/audit.service.ts'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { Invalid, NotFound } from '../../core/lib/errors.ts'
import * as repo from './attachments.repository.ts'
import { findArticle } from './knowledge.repository.ts'

/**
 * Where attachments' bytes live. The database store keeps them beside their records, so several
 * instances share them with nothing more to set up; another store (object storage) would implement this.
 */
export interface AttachmentStore {
  put(trx: DbOrTrx, id: string, data: Buffer): Promise<void>
  get(db: DbOrTrx, id: string): Promise<Buffer | undefined>
}

export const databaseStore: AttachmentStore = { put: repo.insertFile, get: repo.findFile }

export const maxAttachmentBytes = 5 * 1024 * 1024

/** The types accepted, each with the first bytes its files start with (what the upload claims is checked). SVG is not among them: it can carry script. */
const kinds: Record<string, { image: boolean; magic?: number[][] }> = {
  'image/png': { image: true, magic: [[0x89, 0x50, 0x4e, 0x47]] },
  'image/jpeg': { image: true, magic: [[0xff, 0xd8, 0xff]] },
  'image/gif': { image: true, magic: [[0x47, 0x49, 0x46, 0x38]] },
  'image/webp': { image: true, magic: [[0x52, 0x49, 0x46, 0x46]] },
  'application/pdf': { image: false, magic: [[0x25, 0x50, 0x44, 0x46]] },
  'application/zip': { image: false, magic: [[0x50, 0x4b]] },
  'text/plain': { image: false },
  'text/csv': { image: false }
}

export const isImage = (contentType: string) => kinds[contentType]?.image === true

/** Images and files attached to articles, behind a storage interface; fetched only by those who may read the article. */
export class KnowledgeAttachments {
  constructor(private readonly deps: { db: Db; store?: AttachmentStore }) {}

  private get store() {
    return this.deps.store ?? databaseStore
  }

  async add(actor: Actor, articleId: string, file: { name: string; type: string; data: Buffer } | undefined) {
    if (!file || file.data.length === 0) throw new Invalid({ file: 'Choose a file to attach.' })
    if (file.data.length > maxAttachmentBytes) throw new Invalid({ file: `The file is larger than ${maxAttachmentBytes / 1024 / 1024} MB.` })
    const kind = kinds[file.type]
    if (!kind) throw new Invalid({ file: 'Attach an image (PNG, JPEG, GIF, WebP), a PDF, a ZIP, or a text or CSV file.' })
    if (kind.magic && !kind.magic.some((m) => m.every((byte, i) => file.data[i] === byte))) throw new Invalid({ file: 'The file is not what its type says it is.' })
    const name = file.name.replace(/[^\w.\- ]+/g, '_').slice(0, 120) || 'file'
    return this.deps.db.transaction().execute(async (trx) => {
      if (!await findArticle(trx, articleId)) throw new NotFound('The article')
      const attachment = await repo.insertAttachment(trx, { article_id: articleId, file_name: name, content_type: file.type, size: file.data.length, created_by: actor.id })
      await this.store.put(trx, attachment.id, file.data)
      await audit(trx, actor, { action: 'knowledge.attachment-added', entity: 'knowledge-article', entityId: articleId, after: { file: name, size: file.data.length } })
      return attachment
    })
  }

  list(articleId: string) {
    return repo.listAttachments(this.deps.db, articleId)
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
