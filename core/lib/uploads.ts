import type { DbOrTrx } from '../data/database.ts'
import { Invalid } from './errors.ts'

/**
 * Where attached files' bytes live. A module's database store keeps them beside their records, so
 * several instances share them with nothing more to set up; another store (object storage) would implement this.
 */
export interface AttachmentStore {
  put(trx: DbOrTrx, id: string, data: Buffer): Promise<void>
  get(db: DbOrTrx, id: string): Promise<Buffer | undefined>
}

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

export interface Upload { name: string; type: string; data: Buffer }

/** An uploaded file checked for size and type (its first bytes must match the type it claims), with a safe file name; throws Invalid on `file`. */
export function checkedUpload(file: Upload | undefined): Upload {
  if (!file || file.data.length === 0) throw new Invalid({ file: 'Choose a file to attach.' })
  if (file.data.length > maxAttachmentBytes) throw new Invalid({ file: `The file is larger than ${maxAttachmentBytes / 1024 / 1024} MB.` })
  const kind = kinds[file.type]
  if (!kind) throw new Invalid({ file: 'Attach an image (PNG, JPEG, GIF, WebP), a PDF, a ZIP, or a text or CSV file.' })
  if (kind.magic && !kind.magic.some((m) => m.every((byte, i) => file.data[i] === byte))) throw new Invalid({ file: 'The file is not what its type says it is.' })
  return { name: file.name.replace(/[^\w.\- ]+/g, '_').slice(0, 120) || 'file', type: file.type, data: file.data }
}
