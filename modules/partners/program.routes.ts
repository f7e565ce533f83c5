import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams } from '../../core/lib/validation.ts'
import { LevelForm, parseForm, ProgramForm } from './partners.schemas.ts'
import { signedIn } from '../../core/identity/access.ts'

type Body = { Body: Record<string, string> }
type FormById = Body & { Params: { id: string } }

/** Which form a refusal belongs to: the program settings, the new level, or one level's id. */
interface PageState { form?: string; errors?: FieldErrors; values?: Record<string, unknown>; message?: string; status?: number }

/** One expertise option per line: trimmed, blank lines and repeats dropped. */
function parseProgram(body: unknown) {
  const form = parseForm(ProgramForm, body)
  const options = [...new Set(form.expertise_options.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))]
  return { headline: form.headline, intro: form.intro, expertise_options: options }
}

const programRoutes: FastifyPluginAsync = async (app) => {
  const { partners, submissions } = app.diContainer.cradle
  const config = { access: 'staff-admin' as const }

  async function showProgram(reply: FastifyReply, state: PageState = {}) {
    const program = await partners.program()
    const page = {
      program, levels: await partners.levels(), form: state.form, errors: state.errors ?? {}, message: state.message,
      values: state.form === 'program' ? state.values : { ...program, expertise_options: program.expertise_options.join('\n') },
      levelValues: state.form !== 'program' ? state.values ?? {} : {}
    }
    return reply.page('partners/admin-program', page, { title: 'Partner program', status: state.status })
  }

  /** Refusals re-render the page: field messages with 422 beside the form sent, a level in use with 409. */
  async function save(reply: FastifyReply, form: string, values: Record<string, unknown>, action: () => Promise<string>) {
    try {
      return reply.flash(await action()).seeOther('/admin/program')
    } catch (err) {
      if (err instanceof Invalid) return showProgram(reply, { form, errors: err.fields, values, message: err.message, status: 422 })
      if (err instanceof Conflict) return showProgram(reply, { form, message: err.message, status: 409 })
      throw err
    }
  }

  app.get('/admin/program', { config }, async (_request, reply) => showProgram(reply))

  app.post<Body>('/admin/program', { config }, async (request, reply) =>
    save(reply, 'program', request.body, async () => {
      await partners.saveProgram(signedIn(request), parseProgram(request.body))
      return 'Program page saved.'
    }))

  app.post<Body>('/admin/program/levels', { config }, async (request, reply) =>
    save(reply, 'new', request.body, async () => {
      const saved = await submissions.once(request, signedIn(request).id,
        (submission) => partners.saveLevel(signedIn(request), null, parseForm(LevelForm, request.body), submission), '/admin/program')
      return saved.repeat ? alreadySaved : `Level ${saved.created.name} added.`
    }))

  app.post<FormById>('/admin/program/levels/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    save(reply, request.params.id, request.body, async () => {
      const level = await partners.saveLevel(signedIn(request), request.params.id, parseForm(LevelForm, request.body))
      return `Level ${level.name} saved.`
    }))

  app.post<FormById>('/admin/program/levels/:id/delete', { config, schema: { params: idParams } }, async (request, reply) =>
    save(reply, request.params.id, {}, async () => {
      await partners.deleteLevel(signedIn(request), request.params.id)
      return 'Level deleted.'
    }))
}

export default programRoutes
