import multipart from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { partnerViewer, signedIn } from '../../core/identity/access.ts'
import { visitor } from '../../core/identity/audience.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { idParams, Type } from '../../core/lib/validation.ts'
import { maxAttachmentBytes } from '../../core/lib/uploads.ts'

interface UploadBody { file?: { name: string; type: string; data: Buffer } | { tooLarge: true } }
const attachmentParams = Type.Object({ id: Type.String({ format: 'uuid' }), attachmentId: Type.String({ format: 'uuid' }) })

/** Staff attach files to articles; readers fetch them through their own area, within the article's audience. */
const attachmentsRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeAttachments, knowledgeReaders } = app.diContainer.cradle

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxAttachmentBytes, files: 1, fields: 3 },
    // A file over the limit arrives cut short and marked, to be answered on the article's page.
    throwFileSizeLimit: false,
    async onFile(part) {
      const data = await part.toBuffer()
      ;(part as unknown as { value: UploadBody['file'] }).value = part.file.truncated ? { tooLarge: true } : { name: part.filename, type: part.mimetype, data }
    }
  })

  // The CSRF check runs after the multipart parser, so the form's _csrf field is read from the parsed upload.
  app.post<{ Params: { id: string }; Body: UploadBody }>('/admin/knowledge/articles/:id/attachments', {
    config: { access: 'staff', csrf: false }, schema: { params: idParams },
    preValidation: (request, reply, done) => app.csrfProtection(request, reply, done)
  }, async (request, reply) => {
    const file = request.body?.file
    try {
      if (file && 'tooLarge' in file) throw new Invalid({ file: `The file is larger than ${maxAttachmentBytes / 1024 / 1024} MB.` })
      const attachment = await knowledgeAttachments.add(signedIn(request), request.params.id, file)
      const address = `/kb/files/${attachment.id}`
      return reply.flash(`Attached ${attachment.file_name}. Show it in the article with ![${attachment.file_name}](${address}) or link it with [${attachment.file_name}](${address}).`)
        .seeOther(`/admin/knowledge/articles/${request.params.id}#attachments`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.flash(Object.values(err.fields).join(' ')).seeOther(`/admin/knowledge/articles/${request.params.id}#attachments`)
    }
  })

  app.post<{ Params: { id: string; attachmentId: string } }>('/admin/knowledge/articles/:id/attachments/:attachmentId/remove', { config: { access: 'staff' }, schema: { params: attachmentParams } }, async (request, reply) => {
    await knowledgeAttachments.remove(signedIn(request), request.params.id, request.params.attachmentId)
    return reply.flash('Attachment removed.').seeOther(`/admin/knowledge/articles/${request.params.id}#attachments`)
  })

  const send = async (reply: FastifyReply, file: Awaited<ReturnType<typeof knowledgeAttachments.file>>) => reply
    .header('content-type', file.content_type)
    .header('content-disposition', `${file.image ? 'inline' : 'attachment'}; filename="${file.file_name.replace(/"/g, '')}"`)
    .header('cache-control', 'private, max-age=300')
    .send(file.data)

  app.get<{ Params: { id: string } }>('/admin/knowledge/files/:id', { config: { access: 'staff' }, schema: { params: idParams } }, async (request, reply) =>
    send(reply, await knowledgeAttachments.file(await knowledgeReaders.of(signedIn(request)), request.params.id)))
  app.get<{ Params: { id: string } }>('/portal/knowledge/files/:id', { config: { access: 'partner' }, schema: { params: idParams } }, async (request, reply) =>
    send(reply, await knowledgeAttachments.file(await knowledgeReaders.of(partnerViewer(request)), request.params.id)))
  app.get<{ Params: { id: string } }>('/kb/files/:id', { config: { access: 'public' }, schema: { params: idParams } }, async (request, reply) =>
    send(reply, await knowledgeAttachments.file(visitor, request.params.id)))
}

export default attachmentsRoutes
