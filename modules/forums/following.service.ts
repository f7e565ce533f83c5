import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Cradle } from '../../core/container.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import type { Clock } from '../../core/lib/clock.ts'
import { NotFound } from '../../core/lib/errors.ts'
import * as following from './following.repository.ts'
import { companyShown } from './post-view.ts'
import type { Posted } from './posting.service.ts'
import type { Delivery } from './forums.table.ts'

export const digestJob = 'forums.digest'
/** The hour (UTC) the daily digests go out. */
const digestHour = 7
const excerptLength = 1500

interface Person { id: string; kind: 'staff' | 'partner'; partner_id: string | null }
type Target = { kind: 'thread' | 'forum'; id: string }

const baseOf = (person: Pick<Person, 'kind'>) => (person.kind === 'staff' ? '/admin/forums' : '/portal/forums')

/** A post's author as a recipient may see them: named, staff marked, the company unless hidden from them. */
function authorFor(person: Person, post: { author_name: string; staff: boolean; partner_id: string | null; company_name: string | null; hide_company: boolean }): string {
  const reader = person.kind === 'staff' ? { kind: 'staff' as const } : { kind: 'partner' as const, partnerId: person.partner_id ?? '', levelIds: [] }
  const company = companyShown({ viewer: null, reader }, post)
  return `${post.author_name}${post.staff ? ' (staff)' : ''}${company ? ` of ${company}` : ''}`
}

const excerpt = (text: string, length = excerptLength) => (text.length > length ? `${text.slice(0, length - 1)}…` : text)

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Whether a text names a person as `@Their Name` (any case; not the start of a longer name). */
function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'iu').test(text)
}

/** The next digest time after a moment: today's at the digest hour, or tomorrow's. */
function nextDigestAt(now: number): Date {
  const at = new Date(now)
  at.setUTCHours(digestHour, 0, 0, 0)
  if (at.getTime() <= now) at.setUTCDate(at.getUTCDate() + 1)
  return at
}

/**
 * Following forums and threads, and the mail it brings: at once through the outbox, or in one
 * daily digest per person (a job per person and day, nothing when nothing is left to tell), each
 * with a signed link that stops that one follow without signing in.
 */
export class ForumFollowing {
  private readonly key: Buffer

  constructor(private readonly deps: { db: Db; clock: Clock; mailer: Cradle['mailer']; jobs: Cradle['jobs']; secret: string }) {
    this.key = createHmac('sha256', deps.secret).update('forums: stop following').digest()
    deps.jobs.register(digestJob, (payload, trx) => this.sendDigest(trx, String(payload.userId), String(payload.day)))
  }

  /** A link's token that stops one person following one thread or forum, and nothing else. */
  token(userId: string, target: Target): string {
    const payload = Buffer.from(JSON.stringify({ u: userId, k: target.kind, i: target.id })).toString('base64url')
    return `${payload}.${createHmac('sha256', this.key).update(payload).digest('base64url')}`
  }

  private verify(token: unknown): { userId: string; target: Target } {
    const [payload, signature] = typeof token === 'string' && token.length < 400 ? token.split('.') : []
    if (!payload || !signature) throw new NotFound('The link')
    const expected = createHmac('sha256', this.key).update(payload).digest()
    const given = Buffer.from(signature, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new NotFound('The link')
    const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string; k: 'thread' | 'forum'; i: string }
    return { userId: raw.u, target: { kind: raw.k, id: raw.i } }
  }

  /** What a stop-following link is for, to confirm before it acts. */
  async describe(token: unknown): Promise<{ kind: 'thread' | 'forum'; title: string }> {
    const { target } = this.verify(token)
    const row = target.kind === 'thread' ? await following.threadTitle(this.deps.db, target.id) : await following.forumName(this.deps.db, target.id)
    if (!row) throw new NotFound('The link')
    return { kind: target.kind, title: 'title' in row ? row.title : row.name }
  }

  async unfollow(token: unknown) {
    const { userId, target } = this.verify(token)
    const described = await this.describe(token)
    if (target.kind === 'thread') await following.setThreadFollow(this.deps.db, userId, target.id, false)
    else await following.setForumFollow(this.deps.db, userId, target.id, 'none')
    return described
  }

  async settings(viewer: Viewer) {
    return await following.settingsOf(this.deps.db, viewer.id) ?? { delivery: 'immediate' as Delivery, auto_follow: true }
  }

  async saveSettings(viewer: Viewer, settings: { delivery: Delivery; auto_follow: boolean }): Promise<void> {
    await following.saveSettings(this.deps.db, viewer.id, settings)
  }

  /** Tells the followers of a new post, in its transaction: a mail now, or the post kept for their digest. */
  readonly notify = async (posted: Posted): Promise<void> => {
    const { trx, post, thread, forum } = posted
    const people = await following.recipients(trx, { forumId: forum.id, threadId: thread.id, authorId: post.author_id, newThread: posted.kind === 'thread' })
    const written = await following.postForMail(trx, post.id)
    await this.tellMentioned(posted, written, new Set(people.map((p) => p.id)))
    for (const person of people) {
      if (person.delivery === 'digest') {
        if (await following.queueDigestItem(trx, person.id, post.id, new Date(this.deps.clock.now()))) {
          const at = nextDigestAt(this.deps.clock.now())
          await this.deps.jobs.enqueue(trx, digestJob, { userId: person.id, day: at.toISOString().slice(0, 10) }, at)
        }
        continue
      }
      const target: Target = posted.kind === 'thread' || !person.via_thread ? { kind: 'forum', id: forum.id } : { kind: 'thread', id: thread.id }
      const link = this.deps.mailer.link(`${baseOf(person)}/t/${thread.id}?from=${post.number}#post-${post.number}`)
      await this.deps.mailer.send(trx, {
        to: person.email,
        subject: posted.kind === 'thread' ? `New thread in ${forum.name}: ${thread.title}` : `Re: ${thread.title}`,
        body: `${authorFor(person, written)} wrote in “${thread.title}” (${forum.name}):\n\n${excerpt(written.body_text)}\n\nRead and reply: ${link}\n\n` +
          `Stop following this ${target.kind}: ${this.deps.mailer.link(`/forums/unfollow?token=${this.token(person.id, target)}`)}`
      })
    }
  }

  /**
   * People of the thread named in a post as `@Their Name` hear of it at once, unless its followers'
   * mail tells them already (or they wrote it).
   */
  private async tellMentioned(posted: Posted, written: Awaited<ReturnType<typeof following.postForMail>>, told: Set<string>): Promise<void> {
    if (!posted.post.body.includes('@')) return
    const { trx, post, thread, forum } = posted
    const people = await following.participants(trx, thread.id, forum.id)
    for (const person of people.filter((p) => p.id !== post.author_id && !told.has(p.id) && mentions(posted.post.body, p.name))) {
      await this.deps.mailer.send(trx, {
        to: person.email,
        subject: `${post.author_name} mentioned you: ${thread.title}`,
        body: `${authorFor(person, written)} mentioned you in “${thread.title}” (${forum.name}):\n\n${excerpt(written.body_text)}\n\n` +
          `Read and reply: ${this.deps.mailer.link(`${baseOf(person)}/t/${thread.id}?from=${post.number}#post-${post.number}`)}`
      })
    }
  }

  /**
   * The job of a person's digest for a day: one mail listing what waits, none when nothing does;
   * if that day's went out already, what waits goes in the next day's.
   */
  async sendDigest(trx: DbOrTrx, userId: string, day: string): Promise<void> {
    const person = await following.person(trx, userId)
    const items = person ? await following.digestItems(trx, userId) : []
    if (!person || items.length === 0) {
      await following.clearDigestItems(trx, userId)
      return
    }
    if (!await following.recordDigest(trx, userId, day, items.length)) {
      const at = nextDigestAt(Math.max(this.deps.clock.now(), Date.parse(`${day}T23:59:59Z`)))
      await this.deps.jobs.enqueue(trx, digestJob, { userId, day: at.toISOString().slice(0, 10) }, at)
      return
    }
    await following.clearDigestItems(trx, userId)
    const threads = new Map<string, typeof items>()
    for (const item of items) threads.set(item.thread_id, [...threads.get(item.thread_id) ?? [], item])
    const sections = [...threads.values()].map((posts) => {
      const first = posts[0]!
      const lines = posts.map((p) => `- ${authorFor(person, p)}${p.id === first.answer_post_id ? ' — marked as the answer' : ''}: ${excerpt(p.body_text.replace(/\s+/g, ' '), 300)}`)
      return `${first.title} (${first.forum_name})\n${lines.join('\n')}\n` +
        `Read: ${this.deps.mailer.link(`${baseOf(person)}/t/${first.thread_id}?from=${first.number}#post-${first.number}`)}\n` +
        `Stop following: ${this.deps.mailer.link(`/forums/unfollow?token=${this.token(person.id, { kind: 'thread', id: first.thread_id })}`)}`
    })
    await this.deps.mailer.send(trx, {
      to: person.email,
      subject: `Forum digest: ${items.length} new ${items.length === 1 ? 'post' : 'posts'} in ${threads.size} ${threads.size === 1 ? 'thread' : 'threads'}`,
      body: `Hello ${person.name},\n\nWhat happened in the threads and forums you follow:\n\n${sections.join('\n\n')}\n\n` +
        `Choose how you get forum e-mail: ${this.deps.mailer.link(`${baseOf(person)}/settings`)}`
    })
  }
}
