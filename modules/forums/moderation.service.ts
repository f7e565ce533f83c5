import type { Static } from 'typebox'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import type { Clock } from '../../core/lib/clock.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import * as moderation from './moderation.repository.ts'
import * as structure from './structure.repository.ts'
import * as threads from './threads.repository.ts'
import type { ModerateForm } from './forums.schemas.ts'
import type { Who } from './post-view.ts'

const states: Record<Static<typeof ModerateForm>['action'], { pinned?: boolean; locked?: boolean; closed?: boolean }> = {
  pin: { pinned: true }, unpin: { pinned: false }, lock: { locked: true }, unlock: { locked: false }, close: { closed: true }, reopen: { closed: false }
}

/** Staff keep the forums in order: thread states and moves, hidden posts, reports, unanswered questions. Partners report posts. */
export class ForumModeration {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async setState(actor: Actor, threadId: string, action: Static<typeof ModerateForm>['action']) {
    return this.deps.db.transaction().execute(async (trx) => {
      const thread = await threads.lockThread(trx, threadId)
      if (!thread) throw new NotFound('The thread')
      await moderation.setThreadState(trx, thread.id, states[action])
      await audit(trx, actor, { action: `forums.thread-${action}`, entity: 'forum-thread', entityId: thread.id, after: states[action] })
      return thread
    })
  }

  async move(actor: Actor, threadId: string, forumId: string) {
    return this.deps.db.transaction().execute(async (trx) => {
      const thread = await threads.lockThread(trx, threadId)
      if (!thread) throw new NotFound('The thread')
      const to = await structure.findForum(trx, forumId)
      if (!to) throw new Invalid({ forum_id: 'Choose the forum to move the thread to.' })
      if (to.id === thread.forum_id) throw new Invalid({ forum_id: 'The thread is in this forum already.' })
      await moderation.moveThread(trx, thread, to.id)
      await audit(trx, actor, { action: 'forums.thread-moved', entity: 'forum-thread', entityId: thread.id, before: { forum: thread.forum_id }, after: { forum: to.id } })
      return { thread, to }
    })
  }

  /** Hides a post with a reason its author and staff see (`reason` null shows it again); its open reports are settled. */
  async hide(actor: Actor & { id: string }, postId: string, reason: string | null) {
    return this.deps.db.transaction().execute(async (trx) => {
      const post = await threads.readablePost(trx, { kind: 'staff' }, postId)
      if (!post) throw new NotFound('The post')
      if (post.deleted) throw new Conflict('This post was deleted.')
      await moderation.setHidden(trx, post.id, reason)
      if (reason !== null) {
        if (post.answer_post_id === post.id) await threads.setAnswer(trx, post.thread_id, null)
        await moderation.resolveReports(trx, post.id, actor.id, new Date(this.deps.clock.now()))
      }
      await audit(trx, actor, { action: reason === null ? 'forums.post-shown' : 'forums.post-hidden', entity: 'forum-post', entityId: post.id, partnerId: post.partner_id, after: { reason } })
      return post
    })
  }

  /** A post the reader may read and report. */
  async reportable(who: Who, postId: string) {
    const post = await threads.readablePost(this.deps.db, who.reader, postId)
    if (!post || post.deleted) throw new NotFound('The post')
    return post
  }

  /** A reader reports a post they may read, once while the report is open. */
  async report(who: Who & { viewer: Viewer }, postId: string, reason: string) {
    const post = await this.reportable(who, postId)
    if (post.author_id === who.viewer.id) throw new Conflict('You cannot report your own post.')
    return this.deps.db.transaction().execute(async (trx) => {
      if (await moderation.openReportBy(trx, post.id, who.viewer.id)) return post
      await moderation.insertReport(trx, { post_id: post.id, reporter_id: who.viewer.id, reason })
      return post
    })
  }

  reports() {
    return moderation.openReports(this.deps.db, 100)
  }

  /** Staff keep a reported post as it is: its reports are settled. */
  async dismissReports(actor: Actor & { id: string }, reportId: string) {
    return this.deps.db.transaction().execute(async (trx) => {
      const report = await moderation.findReport(trx, reportId)
      if (!report) throw new NotFound('The report')
      await moderation.resolveReports(trx, report.post_id, actor.id, new Date(this.deps.clock.now()))
      await audit(trx, actor, { action: 'forums.reports-dismissed', entity: 'forum-post', entityId: report.post_id })
      return report
    })
  }

  async unanswered(after: unknown) {
    const cursor = timeCursor(after)
    const rows = await moderation.unanswered(this.deps.db, { after: cursor, limit: 26 })
    return { page: timePage(rows, 25, (r) => r.cursor_at), paged: cursor !== undefined }
  }
}
