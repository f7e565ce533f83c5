import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Reach } from '../../core/identity/reach.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { type AttachmentStore, checkedUpload, isImage, type Upload } from '../../core/lib/uploads.ts'
import * as repo from './attachments.repository.ts'

const databaseStore: AttachmentStore = { put: repo.insertFile, get: repo.findFile }

/** Files attached to cases, behind the storage interface; a partner fetches only their cases' public ones. */
export class CaseAttachments {
  constructor(private readonly deps: { db: Db; store?: AttachmentStore }) {}

  private get store() {
    return this.deps.store ?? databaseStore
  }

  /** Checks an upload before any change: a wrong one throws Invalid on `file`; none is fine. */
  checked(file: Upload | undefined): Upload | undefined {
    return file ? checkedUpload(file) : undefined
  }

  async add(trx: DbOrTrx, c: { id: string; partner_id: string }, file: Upload, by: string | null, internal: boolean) {
    const attachment = await repo.insertAttachment(trx, {
      case_id: c.id, partner_id: c.partner_id, internal, file_name: file.name, content_type: file.type, size: file.data.length, created_by: by
    })
    await this.store.put(trx, attachment.id, file.data)
    return attachment
  }

  async forPartner(reach: Reach, id: string) {
    return this.withData(await repo.partnerAttachment(this.deps.db, reach, id))
  }

  async forStaff(id: string) {
    return this.withData(await repo.staffAttachment(this.deps.db, id))
  }

  private async withData(attachment: { id: string; file_name: string; content_type: string } | undefined) {
    const data = attachment ? await this.store.get(this.deps.db, attachment.id) : undefined
    if (!attachment || !data) throw new NotFound('The file')
    return { ...attachment, data, image: isImage(attachment.content_type) }
  }
}
