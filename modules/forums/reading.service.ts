import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Reader } from '../../core/identity/audience.ts'
import type { Clock } from '../../core/lib/clock.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import type { Readers } from '../knowledge/index.ts'
import * as structure from './structure.repository.ts'
import * as threads from './threads.repository.ts'
import * as following from './following.repository.ts'
import { forumOf, forumPage, listedOf, postOf, threadOf, threadPage, type PageStart } from './reader-page.repository.ts'
import { companyShown, isStaffWho, quoteOf, shownPost, type Who, type WhoRef } from './post-view.ts'
import type { FollowLevel, ForumRow } from './forums.table.ts'
import { linkedArticles, linkedThreads, type LinkTitles } from './markdown.ts'
import { toPost, toThread } from './forums.resource.ts'

export const threadsPerPage = 25
export const postsPerPage = 10

/** Where a thread page starts: a post number, the first unread post, or the last page. */
export type ThreadStart = PageStart

/** Whether the person may start threads in the forum (and reply, the thread being open): partners of its audience unless staff only, and staff. */
export function mayPostIn(who: WhoRef, forum: Pick<ForumRow, 'posting'>, thread?: { locked: boolean; closed: boolean }): boolean {
  if (isStaffWho(who)) return true
  if (who.reader.kind !== 'partner' || who.viewer === null) return false
  return forum.posting === 'audience' && !thread?.locked && !thread?.closed
}

/** The forums as readers see them: within their audience, with unread markers per person. */
export class ForumReading {
  constructor(private readonly deps: {
    db: Db; clock: Clock; readers: Readers; pageLoader: () => PageLoader
    articleTitles: (reader: Reader, slugs: string[]) => Promise<Map<string, string>>
  }) {}

  /** A forum's pinned threads and a page of the others, with the person's follow, in one round trip. */
  async forum(who: WhoRef, id: string, after: unknown) {
    const load = this.deps.pageLoader()
    const userId = who.viewer?.id ?? null
    const cursor = timeCursor(after)
    const withHeld = isStaffWho(who)
    const [row, pinned, rows, follow] = await Promise.all([
      load('forum', () => forumPage.forum(who.reader, id)),
      cursor ? Promise.resolve([]) : load('pinned', () => forumPage.threads(id, userId, { pinned: true, limit: 50, withHeld })),
      load('threads', () => forumPage.threads(id, userId, { pinned: false, after: cursor, limit: threadsPerPage + 1, withHeld })),
      userId ? load('follow', () => forumPage.follow(userId, id)) : Promise.resolve(null)
    ])
    if (!row) throw new NotFound('The forum')
    const forum = forumOf(row)
    const shown = (json: Parameters<typeof listedOf>[0]) => {
      const t = listedOf(json)
      return {
        ...t, unread: userId !== null && (t.last_read ?? 0) < t.post_count,
        company: companyShown(who, t)
      }
    }
    const page = timePage(rows.map(shown), threadsPerPage, (t) => t.cursor_at)
    return { forum, pinned: pinned.map(shown), page, paged: cursor !== undefined, mayPost: mayPostIn(who, forum), follow: follow ?? 'none' }
  }

  /**
   * A page of a thread's posts from `start`, its question's answer, and the person's place in it, read
   * with the reader's levels in one round trip (for staff, also the forums to move it to and its case);
   * showing a page moves their read marker to its last post.
   */
  async thread(ref: WhoRef, id: string, start: ThreadStart, quoteId?: string) {
    const db = this.deps.db
    const load = this.deps.pageLoader()
    const userId = ref.viewer?.id ?? null
    const staff = isStaffWho(ref)
    const none = Promise.resolve(null)
    const [reader, row, readRow, postRows, answerRow, follow, forums, caseId] = await Promise.all([
      this.deps.readers.withLevels(ref.reader, load),
      load('thread', () => threadPage.thread(ref.reader, id)),
      userId ? load('read', () => threadPage.read(userId, id)) : none,
      load('posts', () => threadPage.posts(id, userId, start, postsPerPage)),
      load('answer', () => threadPage.answer(id)),
      userId ? load('follow', () => threadPage.follow(userId, id)) : none,
      staff ? load('forums', threadPage.forums) : Promise.resolve([]),
      staff ? load('case', () => threadPage.caseOf(id)) : none
    ])
    const who: Who = { viewer: ref.viewer, reader }
    if (!row || (row.held && !staff && row.author_id !== userId)) throw new NotFound('The thread')
    const thread = threadOf(row)
    const read = readRow ?? 0
    const rows = postRows.map(postOf)
    const answer = answerRow ? postOf(answerRow) : undefined
    const from = rows[0]?.number ?? Math.max(1, Math.min(typeof start === 'number' ? start : thread.post_count, thread.post_count))
    const now = this.deps.clock.now()
    const titles = await this.titles(who, [...rows, ...(answer ? [answer] : [])].map((p) => p.body))
    const posts = rows.map((p) => shownPost(who, p, now, titles))
    const helpful = new Set(rows.filter((p) => p.voted).map((p) => p.id))
    const last = posts[posts.length - 1]?.number ?? 0
    if (userId && last > read) await threads.markRead(db, userId, thread.id, last)
    const quoted = quoteId ? posts.find((p) => p.id === quoteId) ?? await this.quotable(who, thread.id, quoteId) : undefined
    return {
      thread, posts, helpful, firstUnread: read < thread.post_count ? read + 1 : null, forums, caseId,
      answer: answer && !answer.deleted && !answer.hidden && !answer.held ? shownPost(who, answer, now, titles) : null,
      nav: {
        from, previous: from > 1 ? Math.max(1, from - postsPerPage) : null,
        next: last < thread.post_count ? last + 1 : null, lastFrom: Math.max(1, thread.post_count - postsPerPage + 1)
      },
      mayReply: mayPostIn(who, { posting: thread.posting }, thread),
      mayAnswer: thread.kind === 'question' && (staff || (userId !== null && userId === thread.author_id)),
      following: follow ?? false,
      quote: quoted ? quoteOf(quoted) : ''
    }
  }

  /**
   * A thread and one of its posts as the API shows them to a reader who is no author (a partner's
   * webhook endpoint, or staff's): null when the reader may not read the forum, or the thread or
   * the post is held, hidden or deleted — an event of it is then not sent.
   */
  async resource(reader: Reader, threadId: string, postId: string, db: DbOrTrx = this.deps.db) {
    const who: Who = { viewer: null, reader }
    const [thread, post] = await Promise.all([threads.readableThread(db, reader, threadId), threads.readablePost(db, reader, postId)])
    if (!thread || thread.held || !post || post.thread_id !== thread.id || post.held || post.hidden || post.deleted) return null
    const titles = await this.titles(who, [post.body], db)
    return { thread: toThread(thread), post: toPost(shownPost(who, post, this.deps.clock.now(), titles)) }
  }

  /** The titles of the threads and knowledge articles these posts link to that the person may read. */
  private async titles(who: Who, bodies: string[], db: DbOrTrx = this.deps.db): Promise<LinkTitles> {
    const ids = [...new Set(bodies.flatMap(linkedThreads))].slice(0, 100)
    const slugs = bodies.flatMap(linkedArticles)
    const [rows, articles] = await Promise.all([
      ids.length ? threads.titlesOf(db, who.reader, ids, isStaffWho(who) ? null : who.viewer?.id ?? '') : Promise.resolve([]),
      slugs.length ? this.deps.articleTitles(who.reader, slugs) : Promise.resolve(new Map<string, string>())
    ])
    return { threads: new Map(rows.map((r) => [r.id, r.title])), articles }
  }

  private async quotable(who: Who, threadId: string, postId: string) {
    const post = await threads.readablePost(this.deps.db, who.reader, postId)
    return post && post.thread_id === threadId && !post.held ? shownPost(who, post, this.deps.clock.now()) : undefined
  }

  /** A thread the person may read: in their audience, and if held for approval, theirs (or they are staff). */
  async readableThread(who: Who, id: string) {
    const thread = await threads.readableThread(this.deps.db, who.reader, id)
    if (!thread || (thread.held && !isStaffWho(who) && thread.author_id !== who.viewer?.id)) throw new NotFound('The thread')
    return thread
  }

  /** Follows a thread the person may read, or stops. */
  async followThread(who: Who, id: string, follow: boolean): Promise<void> {
    const thread = await this.readableThread(who, id)
    if (!who.viewer) throw new NotFound('The thread')
    await following.setThreadFollow(this.deps.db, who.viewer.id, thread.id, follow)
  }

  /** Follows every post, or only the new threads, of a forum the person may read; or stops. */
  async followForum(who: Who, id: string, level: FollowLevel | 'none'): Promise<void> {
    const forum = await structure.readableForum(this.deps.db, who.reader, id)
    if (!forum || !who.viewer) throw new NotFound('The forum')
    await following.setForumFollow(this.deps.db, who.viewer.id, forum.id, level)
  }

  /** A post's earlier texts, for staff. */
  async history(who: Who, postId: string) {
    const post = await threads.readablePost(this.deps.db, who.reader, postId)
    if (!post || !isStaffWho(who)) throw new NotFound('The post')
    const [titles, versions] = await Promise.all([this.titles(who, [post.body]), threads.versionsOf(this.deps.db, postId)])
    return { post: shownPost(who, post, this.deps.clock.now(), titles), versions }
  }
}
