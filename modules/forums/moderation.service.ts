import type { Static } from 'typebox'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import type { Clock } from '../../core/lib/clock.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import * as moderation from './moderation.repository.ts'
import { queuePage } from './queue-page.repository.ts'
import * as structure from './structure.repository.ts'
import * as threads from './threads.repository.ts'
import type { ModerateForm } from './forums.schemas.ts'
import type { Who } from './post-view.ts'
import { businessHoursBefore } from '../../core/lib/business-hours.ts'

const states: Record<Static<typeof ModerateForm>['action'], { pinned?: boolean; locked?: boolean; closed?: boolean }> = {
  pin: { pinned: true }, unpin: { pinned: false }, lock: { locked: true }, unlock: { locked: false }, close: { closed: true }, reopen: { closed: false }
}

/** How many overdue questions the queue lists; the unanswered list pages through them all. */
const overdueShown = 10

/** Staff keep the forums in order: thread states and moves, hidden posts, reports, unanswered questions. Partners report posts. */
export class ForumModeration {
  constructor(private readonly deps: { db: Db; clock: Clock; unansweredHours: number; pageLoader: () => PageLoader }) {}

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
    if (!post || post.deleted || (post.held && who.reader.kind !== 'staff' && post.author_id !== who.viewer?.id)) throw new NotFound('The post')
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

  /**
   * What waits for staff, read in one round trip: reported posts, posts held for approval, questions
   * unanswered for more than the set business hours, and the people muted now.
   */
  async queue() {
    const now = this.deps.clock.now()
    const overdueSince = businessHoursBefore(now, this.deps.unansweredHours)
    const load = this.deps.pageLoader()
    const [reports, held, overdue, mutes] = await Promise.all([
      load('reports', () => queuePage.reports(100)), load('held', () => queuePage.held(100)),
      load('overdue', () => queuePage.overdue(overdueSince, overdueShown + 1)), load('mutes', () => queuePage.mutes(new Date(now)))
    ])
    return { reports, held, overdue, overdueShown, mutes, unansweredHours: this.deps.unansweredHours }
  }

  /** Staff stop a person posting in the forums for a number of days, with a reason they are shown. */
  async mute(actor: Actor & { id: string }, userId: string, days: number, reason: string) {
    return this.deps.db.transaction().execute(async (trx) => {
      const person = await moderation.forumPerson(trx, userId)
      if (!person) throw new NotFound('The person')
      if (person.kind === 'staff') throw new Conflict('Staff cannot be muted.')
      const until = new Date(this.deps.clock.now() + days * 86_400_000)
      await moderation.setMute(trx, { user_id: userId, until, reason, muted_by: actor.id })
      await audit(trx, actor, { action: 'forums.person-muted', entity: 'user', entityId: userId, partnerId: person.partner_id, after: { until, reason } })
      return { person, until }
    })
  }

  async unmute(actor: Actor, userId: string) {
    return this.deps.db.transaction().execute(async (trx) => {
      const person = await moderation.forumPerson(trx, userId)
      if (!person) throw new NotFound('The person')
      await moderation.removeMute(trx, userId)
      await audit(trx, actor, { action: 'forums.person-unmuted', entity: 'user', entityId: userId, partnerId: person.partner_id })
      return person
    })
  }

  /** The author of a post, to mute them from it. */
  async authorOf(postId: string) {
    const post = await threads.readablePost(this.deps.db, { kind: 'staff' }, postId)
    const person = post?.author_id ? await moderation.forumPerson(this.deps.db, post.author_id) : undefined
    if (!post || !person) throw new NotFound('The post')
    return { post, person }
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
