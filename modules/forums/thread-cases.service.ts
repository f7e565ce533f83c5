import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { DomainEvent } from '../../core/background/events/events.ts'
import { isActivePartner, viewerOf, type ChannelAreas, type Viewer } from '../../core/identity/access.ts'
import { findUserById } from '../../core/identity/users/users.repository.ts'
import type { Cradle } from '../../core/container.ts'
import type { Clock } from '../../core/lib/clock.ts'
import { Conflict, Forbidden, NotFound } from '../../core/lib/errors.ts'
import * as threads from './threads.repository.ts'
import * as links from './thread-cases.repository.ts'
import type { ForumPosting } from './posting.service.ts'

/** How much of the question a case's description holds (the cases' limit), with the way back to the thread. */
const descriptionLimit = 20_000

type Deps = Pick<Cradle, 'cases' | 'caseDesk'> & { db: Db; clock: Clock; channelAreas: ChannelAreas; posting: ForumPosting }

/**
 * What the thread says when staff resolve its case by the status alone, with no reply: that it was
 * resolved, and nothing of what was said in the case. Which of their replies answered (if one did:
 * the last may have been a question back) only staff can tell; they say it by resolving with a
 * reply, which is posted as the answer, or by marking a post of the thread.
 */
export const resolvedNote = 'We took this question up with the asker as a support case, and it is now resolved. ' +
  'What was said in the case stays between them and our team; if you have the same question, reply here or open a case of your own.'

/**
 * Questions staff turn into support cases: the case is opened on the asker's behalf through the
 * cases' own service, and the staff's public reply that resolves it is posted back into the thread
 * (as that staff member) and marked as its answer; a case resolved by its status alone leaves a
 * short note (`resolvedNote`). Internal notes raise no event: they never cross.
 */
export class ForumCases {
  constructor(private readonly deps: Deps) {}

  /** The case a thread was turned into, for staff's thread page. */
  async caseOf(threadId: string): Promise<string | null> {
    return (await links.caseOfThread(this.deps.db, threadId))?.case_id ?? null
  }

  /** Opens a case for an unanswered question, on behalf of the partner user who asked it (the case's own rules apply: their access to cases). */
  async open(actor: Viewer, threadId: string): Promise<{ caseId: string }> {
    const db = this.deps.db
    const thread = await threads.readableThread(db, { kind: 'staff' }, threadId)
    if (!thread) throw new NotFound('The thread')
    if (thread.kind !== 'question') throw new Conflict('Only a question can become a support case.')
    if (thread.answer_post_id) throw new Conflict('This question has its answer already.')
    if (thread.held) throw new Conflict('Approve the question before turning it into a case.')
    const asker = await this.askerOf(thread.author_id)
    const [first] = await threads.listPosts(db, thread.id, 1, 1)
    const back = `\n\n*Asked in the forums: [${thread.title}](/portal/forums/t/${thread.id})*`
    const question = (first?.body ?? '').slice(0, descriptionLimit - back.length)
    if (!await links.claim(db, { thread_id: thread.id, opened_by: actor.id, opened_at: new Date(this.deps.clock.now()) })) {
      throw new Conflict('This question is a support case already.')
    }
    try {
      const opened = await this.deps.cases.open(asker, {
        subject: thread.title, body: `${question}${back}`, type: 'question', priority: 'normal', account_id: '', opportunity_id: '', follow_up_of: ''
      }, undefined)
      await db.transaction().execute(async (trx) => {
        await links.setCase(trx, thread.id, opened.id)
        await audit(trx, actor, { action: 'forums.case-opened', entity: 'forum-thread', entityId: thread.id, partnerId: asker.partnerId, after: { case: opened.id } })
      })
      return { caseId: opened.id }
    } catch (err) {
      await links.unclaim(db, thread.id)
      if (err instanceof Forbidden || err instanceof NotFound) throw new Conflict(`${asker.name} may not open support cases: answer in the thread instead.`)
      throw err
    }
  }

  private async askerOf(userId: string | null) {
    const user = userId ? await findUserById(this.deps.db, userId) : undefined
    const viewer = user && user.status === 'active' ? viewerOf(user, this.deps.channelAreas) : null
    if (!isActivePartner(viewer)) throw new Conflict('Only a question asked by a partner’s active user can become a support case.')
    return viewer
  }

  /** Whether a case reply is one to post back: a staff reply that resolves a case opened from a question. */
  async wanted(event: DomainEvent<'case.replied'>, trx: DbOrTrx): Promise<boolean> {
    return event.payload.from === 'staff' && event.payload.status === 'resolved' && await links.threadOfCase(trx, event.payload.caseId) !== undefined
  }

  /** Whether a status change is one to tell the thread of: a case opened from a question, resolved by staff. */
  async wantedStatus(event: DomainEvent<'case.status-changed'>, trx: DbOrTrx): Promise<boolean> {
    return event.payload.to === 'resolved' && event.payload.by !== null && await links.threadOfCase(trx, event.payload.caseId) !== undefined
  }

  /**
   * A case resolved by its status alone leaves a note in the thread, once. Resolved with a reply,
   * that reply was posted already (its event comes first): it is then the case's newest staff
   * reply and the one the link last posted, and nothing more is said.
   */
  async resolved(event: DomainEvent<'case.status-changed'>, trx: DbOrTrx): Promise<void> {
    const { caseId, by, to } = event.payload
    const link = await links.threadOfCase(trx, caseId)
    if (to !== 'resolved' || !by || !link || link.posted_reply_id === event.id) return
    const latest = await this.deps.caseDesk.latestStaffReplyId(caseId, trx)
    if (latest !== null && latest === link.posted_reply_id) return
    const user = await findUserById(trx, by)
    if (!user || user.kind !== 'staff' || user.status !== 'active') return
    if (await this.deps.posting.postStaffAnswer(trx, viewerOf(user, this.deps.channelAreas), link.thread_id, resolvedNote, false)) {
      await links.markPosted(trx, link.thread_id, event.id)
    }
  }

  /**
   * A staff reply that resolved its case is posted into the question's thread, once, and marked as
   * its answer. Whether it resolved the case is the event's (the case may have been resolved later
   * by its status alone before this is delivered: the reply then stays in the case).
   */
  async replied(event: DomainEvent<'case.replied'>, trx: DbOrTrx): Promise<void> {
    const { caseId, eventId, by } = event.payload
    const link = await links.threadOfCase(trx, caseId)
    if (event.payload.from !== 'staff' || !by || !link || link.posted_reply_id === eventId) return
    const found = await this.deps.caseDesk.replyResource(caseId, eventId, trx)
    if (!found || event.payload.status !== 'resolved') return
    const user = await findUserById(trx, by)
    if (!user || user.kind !== 'staff') return
    if (await this.deps.posting.postStaffAnswer(trx, viewerOf(user, this.deps.channelAreas), link.thread_id, found.reply.body)) {
      await links.markPosted(trx, link.thread_id, eventId)
    }
  }
}
