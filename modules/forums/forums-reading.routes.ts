import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Access } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { idParams, isId, parseForm } from '../../core/lib/validation.ts'
import { alreadySaved, type Submission } from '../../core/web/submissions/submissions.ts'
import { EditForm, FollowForumForm, FollowThreadForm, ReasonForm, ReplyForm, ThreadForm } from './forums.schemas.ts'
import type { Who, WhoRef } from './post-view.ts'
import type { ThreadStart } from './reading.service.ts'

type ById = { Params: { id: string } }
type Form = { Body: Record<string, string> }
interface SearchQuery { q?: string; forum?: string; state?: string; page?: string }
interface ThreadQuery { from?: string; unread?: string; last?: string; quote?: string }

export interface ForumArea {
  base: string
  access: Access
  /** Partners and staff write; the public pages are read-only. */
  writes: boolean
  staff: boolean
  who: (request: FastifyRequest) => Promise<Who>
  /** The same without the partner's levels, for pages that read them in their own round trip. */
  ref: (request: FastifyRequest) => WhoRef
}

const heldMessage = 'Thank you: as one of your first posts, it waits for a moderator’s approval before others see it.'

function startOf(query: ThreadQuery): ThreadStart {
  if (query.unread !== undefined) return 'unread'
  if (query.last !== undefined) return 'last'
  return typeof query.from === 'string' && /^\d{1,7}$/.test(query.from) ? Number(query.from) : 1
}

/**
 * The forums for readers, in three places: /portal/forums for partners (their audience),
 * /forums for everyone (public forums only, read-only) and /admin/forums for staff (every forum).
 */
export function forumReaderRoutes(area: ForumArea): FastifyPluginAsync {
  return async (app) => {
    const { forumStructure, forumReading, forumPosting, forumModeration, forumSearch, submissions } = app.diContainer.cradle
    const config = { access: area.access }
    const schema = { params: idParams }
    const view = { base: area.base, writes: area.writes, staff: area.staff }

    async function threadPage(request: FastifyRequest, reply: FastifyReply, id: string, start: ThreadStart,
      state: { quote?: string; values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
      const page = await forumReading.thread(area.ref(request), id, start, state.quote)
      return reply.page('forums/thread', {
        ...view, ...page, values: state.values ?? { body: page.quote }, errors: state.errors ?? {}, message: state.message
      }, { title: page.thread.title, status: state.status })
    }

    async function newThreadPage(request: FastifyRequest, reply: FastifyReply, id: string, state: { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
      const forum = await forumStructure.readableForum((await area.who(request)).reader, id)
      return reply.page('forums/new-thread', { ...view, forum, values: state.values ?? { kind: 'question' }, errors: state.errors ?? {}, message: state.message }, {
        title: `New thread in ${forum.name}`, status: state.status
      })
    }

    app.get(area.base, { config }, async (request, reply) => {
      const who = await area.who(request)
      const categories = await forumStructure.readable(who.reader, who.viewer?.id ?? null)
      return reply.page('forums/home', { ...view, categories }, { title: 'Forums' })
    })

    app.get<ById & { Querystring: { after?: string } }>(`${area.base}/f/:id`, { config, schema }, async (request, reply) => {
      const page = await forumReading.forum(area.ref(request), request.params.id, request.query.after)
      return reply.page('forums/forum', { ...view, ...page }, { title: page.forum.name })
    })

    app.get<ById & { Querystring: ThreadQuery }>(`${area.base}/t/:id`, { config, schema }, async (request, reply) =>
      threadPage(request, reply, request.params.id, startOf(request.query), { quote: isId(request.query.quote) ? request.query.quote : undefined }))

    app.get<{ Querystring: SearchQuery }>(`${area.base}/search`, { config }, async (request, reply) => {
      const q = request.query
      const filters = {
        q: typeof q.q === 'string' ? q.q.slice(0, 200) : '', forum: isId(q.forum) ? q.forum : '',
        state: q.state === 'answered' || q.state === 'unanswered' ? q.state as 'answered' | 'unanswered' : undefined,
        page: typeof q.page === 'string' && /^\d{1,4}$/.test(q.page) && Number(q.page) > 0 ? Number(q.page) : 1
      }
      const found = await forumSearch.search((await area.who(request)).reader, { ...filters, forum: filters.forum || undefined })
      return reply.page('forums/search', { ...view, ...found, filters }, { title: filters.q ? `Search: ${filters.q}` : 'Search the forums' })
    })

    if (!area.writes) return

    app.get<ById>(`${area.base}/f/:id/new`, { config, schema }, async (request, reply) => newThreadPage(request, reply, request.params.id))

    app.post<ById & Form>(`${area.base}/f/:id/threads`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      try {
        const saved = await submissions.once(request, who.viewer!.id,
          (submission: Submission<{ id: string }>) => forumPosting.createThread(who, request.params.id, parseForm(ThreadForm, request.body), submission), (thread: { id: string }) => `${area.base}/t/${thread.id}`)
        return reply.flash(saved.repeat ? alreadySaved : saved.created.held ? heldMessage : 'Your thread is posted.').seeOther(saved.location)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return newThreadPage(request, reply, request.params.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
      }
    })

    app.post<ById & Form>(`${area.base}/t/:id/replies`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      try {
        const saved = await submissions.once(request, who.viewer!.id,
          (submission: Submission<{ id: string; number: number }>) => forumPosting.reply(who, request.params.id, parseForm(ReplyForm, request.body), submission),
          (post: { number: number }) => `${area.base}/t/${request.params.id}?from=${post.number}#post-${post.number}`)
        return reply.flash(saved.repeat ? alreadySaved : saved.created.held ? heldMessage : 'Your reply is posted.').seeOther(saved.location)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return threadPage(request, reply, request.params.id, 'last', { values: request.body, errors: err.fields, message: err.message, status: 422 })
      }
    })

    app.post<ById & Form>(`${area.base}/t/:id/follow`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      await forumReading.readableThread(who, request.params.id)
      const following = parseForm(FollowThreadForm, request.body).following === 'yes'
      await forumReading.followThread(who, request.params.id, following)
      return reply.flash(following ? 'You follow this thread.' : 'You no longer follow this thread.').seeOther(`${area.base}/t/${request.params.id}`)
    })

    app.post<ById & Form>(`${area.base}/f/:id/follow`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      await forumStructure.readableForum(who.reader, request.params.id)
      const { level } = parseForm(FollowForumForm, request.body)
      await forumReading.followForum(who, request.params.id, level)
      const said = { posts: 'You follow every post in this forum.', threads: 'You follow new threads in this forum.', none: 'You no longer follow this forum.' }
      return reply.flash(said[level]).seeOther(`${area.base}/f/${request.params.id}`)
    })

    async function editPage(request: FastifyRequest, reply: FastifyReply, id: string, state: { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
      const post = await forumPosting.postFor(await area.who(request), id)
      return reply.page('forums/edit-post', { ...view, post, values: state.values ?? { body: post.body }, errors: state.errors ?? {}, message: state.message }, {
        title: `Edit post in ${post.title}`, status: state.status
      })
    }

    app.get<ById>(`${area.base}/posts/:id/edit`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      await forumPosting.mayEdit(who, request.params.id)
      return editPage(request, reply, request.params.id)
    })

    app.post<ById & Form>(`${area.base}/posts/:id/edit`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      try {
        const post = await forumPosting.edit(who, request.params.id, parseForm(EditForm, request.body))
        return reply.flash('Post saved.').seeOther(`${area.base}/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        await forumPosting.mayEdit(who, request.params.id)
        return editPage(request, reply, request.params.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
      }
    })

    app.post<ById>(`${area.base}/posts/:id/delete`, { config, schema }, async (request, reply) => {
      const gone = await forumPosting.remove(await area.who(request), request.params.id)
      return gone.threadGone
        ? reply.flash('The thread is deleted.').seeOther(`${area.base}/f/${gone.forumId}`)
        : reply.flash('The post is deleted.').seeOther(`${area.base}/t/${gone.threadId}?last`)
    })

    app.post<ById>(`${area.base}/posts/:id/answer`, { config, schema }, async (request, reply) => {
      const { post, marked } = await forumPosting.markAnswer(await area.who(request), request.params.id)
      return reply.flash(marked ? 'Marked as the answer.' : 'No longer marked as the answer.')
        .seeOther(marked ? `${area.base}/t/${post.thread_id}#answer` : `${area.base}/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
    })

    app.post<ById & Form>(`${area.base}/posts/:id/helpful`, { config, schema }, async (request, reply) => {
      const post = await forumPosting.helpful(await area.who(request), request.params.id, request.body?.helpful !== 'no')
      return reply.seeOther(`${area.base}/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
    })

    if (area.staff) return

    async function reportPage(request: FastifyRequest, reply: FastifyReply, id: string, state: { values?: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number } = {}) {
      const post = await forumModeration.reportable(await area.who(request), id)
      return reply.page('forums/reason', {
        ...view, post, action: `${area.base}/posts/${id}/report`, heading: 'Report a post', button: 'Send the report',
        hint: 'Tell staff what is wrong with this post. Only staff read reports.', values: state.values ?? {}, errors: state.errors ?? {}, message: state.message
      }, { title: 'Report a post', status: state.status })
    }

    app.get<ById>(`${area.base}/posts/:id/report`, { config, schema }, async (request, reply) => reportPage(request, reply, request.params.id))

    app.post<ById & Form>(`${area.base}/posts/:id/report`, { config, schema }, async (request, reply) => {
      const who = await area.who(request)
      try {
        const post = await forumModeration.report({ ...who, viewer: who.viewer! }, request.params.id, parseForm(ReasonForm, request.body).reason)
        return reply.flash('Thank you: staff will look at the post.').seeOther(`${area.base}/t/${post.thread_id}?from=${post.number}#post-${post.number}`)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return reportPage(request, reply, request.params.id, { values: request.body, errors: err.fields, message: err.message, status: 422 })
      }
    })
  }
}
