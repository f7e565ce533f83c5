import multipart from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { partnerViewer } from '../../core/identity/access.ts'
import { Conflict, Invalid } from '../../core/lib/errors.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { maxImportRows, readImport } from './customer-csv.ts'
import { accountColumns, contactColumns, ImportPasteForm, ImportStartForm } from './customers.schemas.ts'

type ById = { Params: { id: string } }
interface UploadBody { file?: { name: string; text: string }; csv?: string; _submission?: string }

const maxFileBytes = 10 * 1024 * 1024

const customerImportRoutes: FastifyPluginAsync = async (app) => {
  const { customers, customerImports, submissions } = app.diContainer.cradle
  const columns = [...accountColumns, ...contactColumns]

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxFileBytes, files: 1, fields: 5 },
    async onFile(part) {
      (part as unknown as { value: UploadBody['file'] }).value = { name: part.filename, text: (await part.toBuffer()).toString('utf8') }
    }
  })

  /** The upload form; shown again after an error, it keeps the submission key it was sent with. */
  const uploadPage = (reply: FastifyReply, state: { errors?: Record<string, string>; message?: string; status?: number; submission?: string } = {}) =>
    reply.page('customers/import', {
      columns, maxRows: maxImportRows, maxMegabytes: maxFileBytes / 1024 / 1024, errors: state.errors ?? {}, message: state.message,
      values: { _submission: state.submission }
    }, {
      title: 'Import customers', status: state.status
    })

  /** The import's page; while it runs, htmx polls it and morphs the page into the new state. */
  async function importPage(reply: FastifyReply, request: FastifyRequest, id: string, state: { message?: string; status?: number } = {}) {
    const record = await customerImports.details(partnerViewer(request), id)
    return reply.page('customers/import-details', { record, message: state.message }, { title: `Import of ${record.file_name}`, status: state.status })
  }

  app.get('/portal/customers/import', { config: { access: 'partner' } }, async (request, reply) => {
    customers.reach(partnerViewer(request))
    customers.permit(partnerViewer(request), 'create')
    return uploadPage(reply)
  })

  // The CSRF check runs after the multipart parser (a route hook runs after the plugin's), so the
  // form's _csrf field is read from the parsed upload.
  app.post<{ Body: UploadBody }>('/portal/customers/import', {
    config: { access: 'partner', csrf: false },
    preValidation: (request, reply, done) => app.csrfProtection(request, reply, done)
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      const saved = await submissions.once(request, viewer.id, (submission) => {
        const file = request.body?.file?.text.trim() ? request.body.file : { name: 'pasted.csv', text: parseForm(ImportPasteForm, request.body).csv }
        return customerImports.create(viewer, file.name, readImport(file.text), submission)
      }, (id) => `/portal/customers/imports/${id}`)
      if (saved.repeat) reply.flash(alreadySaved)
      return reply.seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const message = err.fields.csv ? 'Choose a CSV file or paste its contents.' : Object.values(err.fields).join(' ')
      return uploadPage(reply, { errors: err.fields, message, status: 422, submission: request.body?._submission })
    }
  })

  app.get<ById>('/portal/customers/imports/:id', { config: { access: 'partner' }, schema: { params: idParams } }, async (request, reply) =>
    importPage(reply, request, request.params.id))

  app.post<ById & { Body: Record<string, string> }>('/portal/customers/imports/:id/start', { config: { access: 'partner' }, schema: { params: idParams } }, async (request, reply) => {
    await customerImports.record(partnerViewer(request), request.params.id)
    try {
      await customerImports.start(partnerViewer(request), request.params.id, parseForm(ImportStartForm, request.body).only_valid)
      return reply.seeOther(`/portal/customers/imports/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Conflict)) throw err
      return importPage(reply, request, request.params.id, { message: err.message, status: 409 })
    }
  })
}

export default customerImportRoutes
