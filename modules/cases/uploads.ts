import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { Invalid } from '../../core/lib/errors.ts'
import { maxAttachmentBytes, type Upload } from '../../core/lib/uploads.ts'

type Part = Upload | { tooLarge: true }
export type FormBody = Record<string, unknown> & { file?: Part }

/** Forms of cases that may carry one file: sent as multipart/form-data, fields and file read into the body. */
export async function acceptUploads(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxAttachmentBytes, files: 1, fields: 20 },
    // A file over the limit arrives cut short and marked, to be answered on the form.
    throwFileSizeLimit: false,
    async onFile(part) {
      const data = await part.toBuffer()
      ;(part as unknown as { value: Part }).value = part.file.truncated ? { tooLarge: true } : { name: part.filename, type: part.mimetype, data }
    }
  })
}

/** The form's file, if one was chosen (a browser sends an empty part for an empty file field). */
export function uploadOf(body: FormBody | undefined): Upload | undefined {
  const file = body?.file
  if (!file || typeof file !== 'object') return undefined
  if ('tooLarge' in file) throw new Invalid({ file: `The file is larger than ${maxAttachmentBytes / 1024 / 1024} MB.` })
  return file.name === '' && file.data.length === 0 ? undefined : file
}

/** The route options of a form with a file: the CSRF check runs after the multipart parser, so it reads the token from the parsed form. */
export const withUpload = (app: FastifyInstance) => ({
  preValidation: (request: Parameters<FastifyInstance['csrfProtection']>[0], reply: Parameters<FastifyInstance['csrfProtection']>[1], done: (err?: Error) => void) =>
    app.csrfProtection(request, reply, done)
})
