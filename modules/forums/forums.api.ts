import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import { signedIn } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { described, IdempotencyHeaders, IdParams, isoOrNull, Nullable, OneOf, PageOf, PageQuery, Timestamp } from '../../core/api/schemas.ts'
import { fingerprintOf } from '../../core/api/requests.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { timeCursor } from '../../core/lib/pagination.ts'
import { ReplyForm, ThreadForm } from './forums.schemas.ts'
import type { Who, WhoRef } from './post-view.ts'
import { Post, Thread, toPost, toThread } from './forums.resource.ts'

const Forum = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  category: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  posting: OneOf(['audience', 'staff'] as const, { description: 'Who may start threads and reply: its readers, or staff only.' }),
  threads: Type.Integer(),
  posts: Type.Integer(),
  lastPostAt: Nullable(Timestamp)
})

// Checked once the forum is found (so an unknown forum answers 404 whatever is sent): each field is required.
const ThreadInput = Type.Object({
  kind: Type.Optional(OneOf(['discussion', 'question'] as const, { description: 'Required.' })),
  title: Type.Optional(Type.String({ maxLength: 200, description: 'Required: 5 to 200 characters.' })),
  body: Type.Optional(Type.String({ maxLength: 50_000, description: 'Required: Markdown.' })),
  hideCompany: Type.Optional(Type.Boolean({ description: 'Hide the company from other partners, where the forum allows it.' }))
}, { additionalProperties: false })

const ReplyInput = Type.Object({
  body: Type.String({ minLength: 1, maxLength: 50_000, description: 'Markdown.' }),
  hideCompany: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

const PostsQuery = Type.Object({ cursor: PageQuery.cursor })
const tags = ['Forums']
const config = { access: 'signed-in' as const }

/** The forums, threads and posts the key's issuer may read; partners' and staff keys start threads and reply as their issuer. */
const forumsApi: FastifyPluginAsync = async (app) => {
  const { forumStructure, forumReading, forumPosting, knowledgeReaders, submissions } = app.diContainer.cradle
  const whoOf = async (request: FastifyRequest): Promise<Who> => {
    const viewer = signedIn(request)
    return { viewer, reader: await knowledgeReaders.of(viewer) }
  }
  const refOf = (request: FastifyRequest): WhoRef => {
    const viewer = signedIn(request)
    return { viewer, reader: knowledgeReaders.ref(viewer) }
  }

  app.get('/forums', {
    config,
    schema: { summary: 'List forums', tags, response: { 200: described(Type.Object({ items: Type.Array(Forum) }), 'The forums the key may read, by category and position.') } }
  }, async (request) => {
    const who = await whoOf(request)
    const categories = await forumStructure.readable(who.reader, null)
    return {
      items: categories.flatMap((c) => c.forums.map((f) => ({
        id: f.id, name: f.name, description: f.description, category: { id: c.id, name: c.name }, posting: f.posting,
        threads: f.thread_count, posts: f.post_count, lastPostAt: isoOrNull(f.last_post_at)
      })))
    }
  })

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PostsQuery> }>('/forums/:id/threads', {
    config,
    schema: { summary: 'List a forum’s threads', tags, params: IdParams, querystring: PostsQuery, response: { 200: described(PageOf(Thread), 'Pinned threads first (on the first page), then by latest post.') } }
  }, async (request) => {
    const page = await forumReading.forum(refOf(request), request.params.id, timeCursor(request.query.cursor) ? request.query.cursor : undefined)
    const items = [...page.pinned, ...page.page.items].map(toThread)
    const next = page.page.next
    return { items, next, nextUrl: next ? `/api/v1/forums/${request.params.id}/threads?cursor=${encodeURIComponent(next)}` : null }
  })

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PostsQuery> }>('/threads/:id/posts', {
    config,
    schema: { summary: 'List a thread’s posts', tags, params: IdParams, querystring: PostsQuery, response: { 200: described(PageOf(Post), 'Posts in order of their number.') } }
  }, async (request) => {
    const from = /^\d{1,7}$/.test(request.query.cursor ?? '') ? Number(request.query.cursor) : 1
    const page = await forumReading.thread(refOf(request), request.params.id, from)
    const next = page.nav.next ? String(page.nav.next) : null
    return { items: page.posts.map(toPost), next, nextUrl: next ? `/api/v1/threads/${request.params.id}/posts?cursor=${next}` : null }
  })

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ThreadInput> }>('/forums/:id/threads', {
    config,
    schema: {
      summary: 'Start a thread', tags, params: IdParams, body: ThreadInput, headers: IdempotencyHeaders,
      response: { 201: described(Thread, 'Started; Location names it.'), 200: described(Thread, 'Already started by an earlier request with this Idempotency-Key.') }
    }
  }, async (request, reply) => {
    const who = await whoOf(request)
    await forumStructure.readableForum(who.reader, request.params.id)
    const body = request.body
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`,
      (submission) => forumPosting.createThread(who, request.params.id, parseForm(ThreadForm, { kind: body.kind ?? '', title: body.title ?? '', body: body.body ?? '', hide_company: body.hideCompany ?? false }), submission),
      (thread: { id: string }) => `/api/v1/threads/${thread.id}`, fingerprintOf(request))
    const thread = await forumReading.readableThread(who, saved.location.split('/').pop()!)
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return toThread(thread)
  })

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReplyInput> }>('/threads/:id/posts', {
    config,
    schema: {
      summary: 'Reply to a thread', tags, params: IdParams, body: ReplyInput, headers: IdempotencyHeaders,
      response: { 201: described(Post, 'Posted; Location names the thread’s page from it.'), 200: described(Post, 'Already posted by an earlier request with this Idempotency-Key.') }
    }
  }, async (request, reply) => {
    const who = await whoOf(request)
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`,
      (submission) => forumPosting.reply(who, request.params.id, parseForm(ReplyForm, { body: request.body.body, hide_company: request.body.hideCompany ?? false }), submission),
      (post: { number: number }) => `/api/v1/threads/${request.params.id}/posts?cursor=${post.number}`, fingerprintOf(request))
    const number = Number(new URL(saved.location, 'http://api.local').searchParams.get('cursor'))
    const page = await forumReading.thread(refOf(request), request.params.id, number)
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return toPost(page.posts[0]!)
  })
}

export default forumsApi
