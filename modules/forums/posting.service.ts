import type { Static } from 'typebox'
import type { Cradle } from '../../core/container.ts'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Clock } from '../../core/lib/clock.ts'
import { Conflict, Forbidden, NotFound, TooManyRequests, Unauthenticated } from '../../core/lib/errors.ts'
import { helpers } from '../../core/web/view-helpers.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { Viewer } from '../../core/identity/access.ts'
import * as structure from './structure.repository.ts'
import * as threads from './threads.repository.ts'
import * as following from './following.repository.ts'
import { editWindowMs, isAuthor, isStaffWho, type Who } from './post-view.ts'
import { mayPostIn } from './reading.service.ts'
import type { EditForm, ReplyForm, ThreadForm } from './forums.schemas.ts'
import './forums.events.ts'

/** What happened, for the following service to tell the followers (after the post is written, in its transaction). */
export interface Posted {
  trx: DbOrTrx
  kind: 'thread' | 'reply'
  forum: { id: string; name: string }
  thread: { id: string; title: string }
  post: { id: string; number: number; author_id: string; author_name: string; body: string }
}

export type PostListener = (posted: Posted) => Promise<void>

/** The forums' rules for partners' posts (FORUM_POSTS_PER_HOUR, FORUM_HELD_FIRST_POSTS; 0 turns one off). */
export interface PostingRules { postsPerHour: number; heldFirstPosts: number }

/** Writing in the forums: threads, replies, edits within the window, deletes, answers and helpful votes. */
export class ForumPosting {
  private readonly listeners: PostListener[] = []

  constructor(private readonly deps: { db: Db; clock: Clock; partners: Cradle['partners']; events: Cradle['events']; rules: PostingRules }) {}

  /** Called for every new post inside its transaction (the following service sends or queues mail). */
  onPosted(listener: PostListener): void {
    this.listeners.push(listener)
  }

  async createThread(who: Who, forumId: string, form: Static<typeof ThreadForm>, submission?: Submission<{ id: string }>) {
    const viewer = this.writer(who)
    const forum = await structure.readableForum(this.deps.db, who.reader, forumId)
    if (!forum) throw new NotFound('The forum')
    if (!mayPostIn(who, forum)) throw new Forbidden(forum.posting === 'staff' ? 'Only staff post in this forum.' : 'You may not post in this forum.')
    const held = await this.checkRules(who, viewer)
    const author = await this.author(viewer, form.hide_company && forum.allow_hidden_company)
    return this.deps.db.transaction().execute(async (trx) => {
      const createdAt = new Date(this.deps.clock.now())
      const thread = await threads.insertThread(trx, { forum_id: forum.id, kind: form.kind, title: form.title, author_id: viewer.id, created_at: createdAt, held })
      const post = await threads.insertPost(trx, forum.id, { ...author, thread_id: thread.id, body: form.body, created_at: createdAt, held })
      await following.autoFollow(trx, viewer.id, thread.id)
      await submission?.record(trx, thread)
      if (!held) await this.tell({ trx, kind: 'thread', forum, thread, post: { ...post, author_id: viewer.id, author_name: author.author_name, body: form.body } })
      return { ...thread, held }
    })
  }

  async reply(who: Who, threadId: string, form: Static<typeof ReplyForm>, submission?: Submission<{ id: string; number: number }>) {
    const viewer = this.writer(who)
    const thread = await threads.readableThread(this.deps.db, who.reader, threadId)
    if (!thread || (thread.held && !isStaffWho(who) && thread.author_id !== viewer.id)) throw new NotFound('The thread')
    if (!mayPostIn(who, thread, thread)) {
      throw new Forbidden(thread.locked ? 'This thread is locked: no more replies.' : thread.closed ? 'This thread is closed.' : 'Only staff post in this forum.')
    }
    const held = await this.checkRules(who, viewer)
    const author = await this.author(viewer, form.hide_company && thread.allow_hidden_company)
    return this.deps.db.transaction().execute(async (trx) => {
      const locked = await threads.lockThread(trx, thread.id)
      if (!locked) throw new NotFound('The thread')
      if (!mayPostIn(who, thread, locked)) throw new Forbidden('This thread was locked or closed a moment ago.')
      const createdAt = new Date(this.deps.clock.now())
      const post = await threads.insertPost(trx, thread.forum_id, { ...author, thread_id: thread.id, body: form.body, created_at: createdAt, held })
      await threads.markRead(trx, viewer.id, thread.id, post.number)
      await following.autoFollow(trx, viewer.id, thread.id)
      await submission?.record(trx, post)
      if (!held) await this.tell({ trx, kind: 'reply', forum: { id: thread.forum_id, name: thread.forum_name }, thread, post: { ...post, author_id: viewer.id, author_name: author.author_name, body: form.body } })
      return { ...post, held }
    })
  }

  /** A post shows: the domain event, then the listeners (the followers' mail), in its transaction. */
  private async tell(posted: Posted): Promise<void> {
    const { trx, kind, forum, thread, post } = posted
    if (kind === 'thread') await this.deps.events.emit(trx, 'forum.thread-created', thread.id, { threadId: thread.id, forumId: forum.id, postId: post.id, by: post.author_id })
    else await this.deps.events.emit(trx, 'forum.post-created', thread.id, { threadId: thread.id, forumId: forum.id, postId: post.id, number: post.number, by: post.author_id })
    for (const listener of this.listeners) await listener(posted)
  }

  /**
   * A partner's post must pass the forums' rules: not muted, within the hourly limit; answers whether
   * it is held for approval (one of a new member's first posts). Staff pass.
   */
  private async checkRules(who: Who, viewer: Viewer): Promise<boolean> {
    if (isStaffWho(who)) return false
    const now = this.deps.clock.now()
    const mute = await threads.muteOf(this.deps.db, viewer.id, new Date(now))
    if (mute) throw new Forbidden(`You cannot post in the forums until ${helpers.dateTime(mute.until)}: ${mute.reason}`)
    const { postsPerHour, heldFirstPosts } = this.deps.rules
    if (postsPerHour > 0 && await threads.postsSince(this.deps.db, viewer.id, new Date(now - 3600_000)) >= postsPerHour) {
      throw new TooManyRequests(`You can post ${postsPerHour} times an hour in the forums. Please wait a little and post again.`)
    }
    return heldFirstPosts > 0 && await threads.approvedPostsBy(this.deps.db, viewer.id) < heldFirstPosts
  }

  /**
   * A staff member's answer written elsewhere (a support case's resolving reply) posted into the
   * thread inside the caller's transaction, and marked as the question's answer if it has none yet
   * (unless `answer` is false: a note that is no answer); staff pass every rule and lock. Undefined
   * if the thread is gone.
   */
  async postStaffAnswer(trx: DbOrTrx, staff: Viewer, threadId: string, body: string, answer = true): Promise<{ id: string; number: number } | undefined> {
    const thread = await threads.readableThread(trx, { kind: 'staff' }, threadId)
    const locked = thread && await threads.lockThread(trx, thread.id)
    if (!thread || !locked) return undefined
    const author = await this.author(staff, false, trx)
    const post = await threads.insertPost(trx, thread.forum_id, { ...author, thread_id: thread.id, body, created_at: new Date(this.deps.clock.now()), held: false })
    await threads.markRead(trx, staff.id, thread.id, post.number)
    await following.autoFollow(trx, staff.id, thread.id)
    await this.tell({ trx, kind: 'reply', forum: { id: thread.forum_id, name: thread.forum_name }, thread, post: { ...post, author_id: staff.id, author_name: author.author_name, body } })
    if (answer && thread.kind === 'question' && !locked.answer_post_id) {
      await threads.setAnswer(trx, thread.id, post.id)
      await audit(trx, staff, { action: 'forums.answer-marked', entity: 'forum-thread', entityId: thread.id, after: { post: post.id } })
      await this.deps.events.emit(trx, 'forum.answer-accepted', thread.id, { threadId: thread.id, forumId: thread.forum_id, postId: post.id, by: staff.id })
    }
    return post
  }

  /** Staff let a held post through: it shows, and its followers are told now. */
  async approve(actor: Viewer, postId: string) {
    const post = await this.postFor({ viewer: actor, reader: { kind: 'staff' } }, postId)
    if (!post.held) throw new Conflict('This post is not waiting for approval.')
    await this.deps.db.transaction().execute(async (trx) => {
      await threads.release(trx, post)
      await audit(trx, actor, { action: 'forums.post-approved', entity: 'forum-post', entityId: post.id, partnerId: post.partner_id })
      await this.tell({
        trx, kind: post.number === 1 ? 'thread' : 'reply', forum: { id: post.forum_id, name: post.forum_name }, thread: { id: post.thread_id, title: post.title },
        post: { id: post.id, number: post.number, author_id: post.author_id ?? '', author_name: post.author_name, body: post.body }
      })
    })
    return post
  }

  /** The post, if the person may edit it now (its edit page). */
  async mayEdit(who: Who, postId: string) {
    const post = await this.postFor(who, postId)
    this.checkEdit(who, post)
    return post
  }

  private checkEdit(who: Who, post: { deleted: boolean; author_id: string | null; created_at: Date; locked: boolean }): void {
    if (post.deleted) throw new Conflict('This post was deleted.')
    if (isStaffWho(who)) return
    if (!isAuthor(who, post)) throw new Forbidden('You may edit only your own posts.')
    if (this.deps.clock.now() - post.created_at.getTime() >= editWindowMs) throw new Forbidden('Posts can be edited for 30 minutes after they are written; ask staff to change it now.')
    if (post.locked) throw new Forbidden('This thread is locked.')
  }

  /** Authors edit their own post within 30 minutes (not in a locked thread); staff any post, any time. Each earlier text is kept. */
  async edit(who: Who, postId: string, form: Static<typeof EditForm>) {
    const viewer = this.writer(who)
    const post = await this.postFor(who, postId)
    this.checkEdit(who, post)
    if (form.body === post.body) return post
    await this.deps.db.transaction().execute(async (trx) => {
      const now = new Date(this.deps.clock.now())
      await threads.insertVersion(trx, { post_id: post.id, body: post.body, edited_by: viewer.id, editor_name: viewer.name, replaced_at: now })
      await threads.updatePostBody(trx, post.id, form.body, now)
      if (!isAuthor(who, post)) await audit(trx, viewer, { action: 'forums.post-edited', entity: 'forum-post', entityId: post.id, partnerId: post.partner_id, before: { body: post.body }, after: { body: form.body } })
    })
    return post
  }

  /**
   * Deletes a post: one others replied to leaves "deleted" in its place; the last one goes, and a
   * thread whose only post it was goes with it. Staff deleting someone else's post is audited.
   */
  async remove(who: Who, postId: string): Promise<{ threadGone: boolean; forumId: string; threadId: string }> {
    const viewer = this.writer(who)
    const post = await this.postFor(who, postId)
    if (post.deleted) throw new Conflict('This post was already deleted.')
    if (!isStaffWho(who) && !isAuthor(who, post)) throw new Forbidden('You may delete only your own posts.')
    return this.deps.db.transaction().execute(async (trx) => {
      const thread = await threads.lockThread(trx, post.thread_id)
      if (!thread) throw new NotFound('The post')
      let threadGone = false
      if (thread.post_count === 1) {
        await threads.removeThread(trx, thread)
        threadGone = true
      } else if (post.number === thread.post_count) {
        if (thread.answer_post_id === post.id) await threads.setAnswer(trx, thread.id, null)
        await threads.removeLastPost(trx, post, thread.forum_id)
      } else {
        if (thread.answer_post_id === post.id) await threads.setAnswer(trx, thread.id, null)
        await threads.markDeleted(trx, post.id)
      }
      if (!isAuthor(who, post)) {
        await audit(trx, viewer, { action: 'forums.post-deleted', entity: 'forum-post', entityId: post.id, partnerId: post.partner_id, before: { thread: post.title, number: post.number, author: post.author_name, body: post.body } })
      }
      return { threadGone, forumId: thread.forum_id, threadId: thread.id }
    })
  }

  /** The asker or staff mark a reply as the question's answer; marking the answer again unmarks it. */
  async markAnswer(who: Who, postId: string) {
    const viewer = this.writer(who)
    const post = await this.postFor(who, postId)
    if (post.kind !== 'question') throw new Conflict('Only a question has an answer.')
    if (!isStaffWho(who) && viewer.id !== post.asker_id) throw new Forbidden('Only the person who asked, or staff, mark the answer.')
    if (post.number === 1) throw new Conflict('The question itself cannot be its answer.')
    if (post.deleted || post.hidden || post.held) throw new Conflict('A deleted, hidden or held post cannot be the answer.')
    const marking = post.answer_post_id !== post.id
    await this.deps.db.transaction().execute(async (trx) => {
      await threads.setAnswer(trx, post.thread_id, marking ? post.id : null)
      await audit(trx, viewer, { action: marking ? 'forums.answer-marked' : 'forums.answer-unmarked', entity: 'forum-thread', entityId: post.thread_id, after: { post: post.id } })
      if (marking) await this.deps.events.emit(trx, 'forum.answer-accepted', post.thread_id, { threadId: post.thread_id, forumId: post.forum_id, postId: post.id, by: viewer.id })
    })
    return { post, marked: marking }
  }

  /** A helpful vote on someone else's post, or taking it back. */
  async helpful(who: Who, postId: string, helpful: boolean) {
    const viewer = this.writer(who)
    const post = await this.postFor(who, postId)
    if (isAuthor(who, post)) throw new Conflict('You cannot vote for your own post.')
    if (post.deleted || post.hidden || post.held) throw new Conflict('This post cannot be voted for.')
    await this.deps.db.transaction().execute(async (trx) => {
      if (helpful) await threads.addVote(trx, post.id, viewer.id)
      else await threads.removeVote(trx, post.id, viewer.id)
    })
    return post
  }

  /** A post the person may read; for a write, one they are signed in for. */
  async postFor(who: Who, postId: string) {
    const post = await threads.readablePost(this.deps.db, who.reader, postId)
    if (!post || (post.held && !isStaffWho(who) && !isAuthor(who, post))) throw new NotFound('The post')
    return post
  }

  private writer(who: Who): Viewer {
    if (!who.viewer || who.reader.kind === 'visitor') throw new Unauthenticated()
    return who.viewer
  }

  /**
   * The author's name (the person's own, also when an API key of theirs posts) and company (a
   * partner's, as named now), and whether the company is hidden from other partners.
   */
  private async author(viewer: Viewer, hideCompany: boolean, db: DbOrTrx = this.deps.db) {
    const name = await threads.personName(db, viewer.id) ?? viewer.name
    if (viewer.kind === 'staff' || !viewer.partnerId) {
      return { author_id: viewer.id, author_name: name, staff: true, partner_id: null, company_name: null, hide_company: false }
    }
    const partner = await this.deps.partners.partner(viewer.partnerId)
    return { author_id: viewer.id, author_name: name, staff: false, partner_id: viewer.partnerId, company_name: partner.name, hide_company: hideCompany }
  }
}
