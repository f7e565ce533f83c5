import type { FastifyReply } from 'fastify'

/** A case's file: images shown inline, anything else downloaded. */
export const sendFile = (reply: FastifyReply, file: { file_name: string; content_type: string; image: boolean; data: Buffer }) => reply
  .header('content-type', file.content_type)
  .header('content-disposition', `${file.image ? 'inline' : 'attachment'}; filename="${file.file_name.replace(/"/g, '')}"`)
  .header('cache-control', 'private, max-age=300')
  .send(file.data)
