import Type from 'typebox'
import { iso, isoOrNull, Nullable, NullableId, NullableString, OneOf, Timestamp } from '../../core/api/schemas.ts'
import type { ShownPost } from './post-view.ts'

/** Threads and posts as the API shows them, and the webhooks carry them. */

const Author = Type.Object({
  name: Type.String(),
  staff: Type.Boolean(),
  company: NullableString
}, { description: 'Who wrote it; the company is null for staff, and for a partner who hid it from other partners (staff keys and the author’s own company still see it).' })

export const Thread = Type.Object({
  id: Type.String({ format: 'uuid' }),
  forumId: Type.String({ format: 'uuid' }),
  kind: OneOf(['discussion', 'question'] as const),
  title: Type.String(),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  closed: Type.Boolean(),
  answerPostId: NullableId,
  posts: Type.Integer({ description: 'The number of its last post (posts are numbered from 1).' }),
  lastPostAt: Timestamp,
  createdAt: Timestamp
})

export const Post = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.Integer(),
  author: Author,
  markdown: Type.String({ description: 'As written; empty when deleted, or hidden or held and not the key’s own.' }),
  html: Type.String({ description: 'Rendered and sanitised.' }),
  deleted: Type.Boolean(),
  hidden: Type.Boolean(),
  held: Type.Boolean({ description: 'Waiting for a moderator’s approval.' }),
  helpful: Type.Integer(),
  editedAt: Nullable(Timestamp),
  createdAt: Timestamp
})

export const toPost = (p: ShownPost) => ({
  id: p.id, number: p.number, author: { name: p.author_name, staff: p.staff, company: p.company }, markdown: p.body, html: p.html,
  deleted: p.deleted, hidden: p.hidden, held: p.held, helpful: p.helpful, editedAt: isoOrNull(p.edited_at), createdAt: iso(p.created_at)
})

export const toThread = (t: { id: string; forum_id: string; kind: 'discussion' | 'question'; title: string; pinned: boolean; locked: boolean; closed: boolean; answer_post_id: string | null; post_count: number; last_post_at: Date; created_at: Date }) => ({
  id: t.id, forumId: t.forum_id, kind: t.kind, title: t.title, pinned: t.pinned, locked: t.locked, closed: t.closed, answerPostId: t.answer_post_id,
  posts: t.post_count, lastPostAt: iso(t.last_post_at), createdAt: iso(t.created_at)
})
