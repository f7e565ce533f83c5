import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { ModerateForm, MoveForm, MuteForm, ReasonForm } from './forums.schemas.ts'

type ById = { Params: { id: string } }
type Form = { Body: Record<string, string> }

const said: Record<string, string> = {
  pin: 'The thread is pinned.', unpin: 'The thread is no longer pinned.', lock: 'The thread is locked: no more replies.',
  unlock: 'The thread is unlocked.', close: 'The thread is closed.', reopen: 'The thread is open again.'
}

/** Staff moderate under /admin/forums: thread states and moves, hidden posts, the report queue, unanswered questions, edit history. */
const forumsModerationRoutes: FastifyPluginAsync = async (app) => {
  const { forumModeration, forumReading, forumPosting, forumCases } = app.diContainer.cradle
  const config = { access: 'staff' as const }
  const schema = { params: idParams }
  const staffWho = (request: { viewer: Parameters<typeof signedIn>[0]['viewer'] }) => ({ viewer: signedIn(request), reader: { kind: 'staff' as const } })

  app.post<ById & Form>('/admin/forums/t/:id/moderate', { config, schema }, async (request, reply) => {
    await forumReading.readableThread(staffWho(request), request.params.id)
    const { action } = parseForm(ModerateForm, request.body)
    await forumModeration.setState(signedIn(request), request.params.id, action)
    return reply.flash(said[action]!).seeOther(`/admin/forums/t/${request.params.id}`)
  })

  app.post<ById & Form>('/admin/forums/t/:id/move', { config, schema }, async (request, reply) => {
    await forumReading.readableThread(staffWho(request), request.params.id)
    try {
      const { to } = await forumModeration.move(signedIn(request), request.params.id, parseForm(MoveForm, request.body).forum_id)
      return reply.flash(`The thread is moved to ${to.name}.`).seeOther(`/admin/forums/t/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.flash(Object.values(err.fields)[0] ?? err.message).seeOther(`/admin/forums/t/${request.params.id}`)
    }
  })

  async function moderatePage(reply: FastifyReply, id: string, state: { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
    const post = await forumModeration.reportable({ viewer: null, reader: { kind: 'staff' } }, id)
    return reply.page('forums/moderate-post', { post, values: state.values ?? {}, errors: state.errors ?? {}, message: state.message },
      { title: `Moderate post #${post.number}`, status: state.status })
  }

  app.get<ById>('/admin/forums/posts/:id', { config, schema }, async (request, reply) => moderatePage(reply, request.params.id))

  app.get<ById>('/admin/forums/posts/:id/hide', { config, schema }, async (request, reply) => moderatePage(reply, request.params.id))

  app.post<ById & Form>('/admin/forums/posts/:id/hide', { config, schema }, async (request, reply) => {
    try {
      const post = await forumModeration.hide(signedIn(request), request.params.id, parseForm(ReasonForm, request.body).reason)
      return reply.flash('The post is hidden.').seeOther(`/admin/forums/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return moderatePage(reply, request.params.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.post<ById>('/admin/forums/posts/:id/show', { config, schema }, async (request, reply) => {
    const post = await forumModeration.hide(signedIn(request), request.params.id, null)
    return reply.flash('The post is shown again.').seeOther(`/admin/forums/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
  })

  app.get<ById>('/admin/forums/posts/:id/history', { config, schema }, async (request, reply) => {
    const page = await forumReading.history(staffWho(request), request.params.id)
    return reply.page('forums/history', page, { title: 'Edit history' })
  })

  app.get('/admin/forums/queue', { config }, async (_request, reply) => {
    const queue = await forumModeration.queue()
    return reply.page('forums/admin-queue', queue, { title: 'Moderation queue' })
  })

  app.post<ById>('/admin/forums/posts/:id/approve', { config, schema }, async (request, reply) => {
    await forumPosting.approve(signedIn(request), request.params.id)
    return reply.flash('The post is approved and shown.').seeOther('/admin/forums/queue')
  })

  async function mutePage(reply: FastifyReply, postId: string, state: { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
    const { post, person } = await forumModeration.authorOf(postId)
    return reply.page('forums/mute', { post, person, values: state.values ?? { days: 7 }, errors: state.errors ?? {}, message: state.message }, { title: `Mute ${person.name}`, status: state.status })
  }

  app.get<ById>('/admin/forums/posts/:id/mute', { config, schema }, async (request, reply) => mutePage(reply, request.params.id))

  app.post<ById & Form>('/admin/forums/posts/:id/mute', { config, schema }, async (request, reply) => {
    const { person } = await forumModeration.authorOf(request.params.id)
    try {
      const form = parseForm(MuteForm, request.body)
      await forumModeration.mute(signedIn(request), person.id, form.days, form.reason)
      return reply.flash(`${person.name} cannot post in the forums for ${form.days} ${form.days === 1 ? 'day' : 'days'}.`).seeOther('/admin/forums/queue')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return mutePage(reply, request.params.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.post<ById>('/admin/forums/people/:id/unmute', { config, schema }, async (request, reply) => {
    const person = await forumModeration.unmute(signedIn(request), request.params.id)
    return reply.flash(`${person.name} may post again.`).seeOther('/admin/forums/queue')
  })

  app.post<ById>('/admin/forums/reports/:id/dismiss', { config, schema }, async (request, reply) => {
    await forumModeration.dismissReports(signedIn(request), request.params.id)
    return reply.flash('The post is kept; its reports are settled.').seeOther('/admin/forums/queue')
  })

  // One action, from the thread, the queue or the unanswered list; staff go back where they were.
  app.post<ById & Form>('/admin/forums/t/:id/case', { config, schema }, async (request, reply) => {
    const back = request.body?.back === 'queue' ? '/admin/forums/queue' : request.body?.back === 'unanswered' ? '/admin/forums/unanswered' : `/admin/forums/t/${request.params.id}`
    try {
      await forumCases.open(signedIn(request), request.params.id)
      return reply.flash('The question is a support case now: the reply that resolves it will be posted in the thread as its answer (resolved without one, the thread is told it was resolved).').seeOther(back)
    } catch (err) {
      if (!(err instanceof Conflict)) throw err
      return reply.flash(err.message).seeOther(back)
    }
  })

  app.get<{ Querystring: { after?: string } }>('/admin/forums/unanswered', { config }, async (request, reply) => {
    const page = await forumModeration.unanswered(request.query.after)
    return reply.page('forums/admin-unanswered', page, { title: 'Unanswered questions' })
  })
}

export default forumsModerationRoutes
