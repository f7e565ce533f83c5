import Type from 'typebox'
import type { EventName } from '../../core/background/events/events.ts'
import { levelsCoveredBy } from '../../core/identity/audience.repository.ts'
import type { Reader } from '../../core/identity/audience.ts'
import type { WebhookSource, WebhookSources, WebhookType } from '../../core/features/features.ts'
import { Post, Thread } from './forums.resource.ts'
import { partnersReading } from './structure.repository.ts'

/** The thread and one of its posts, as the API shows them to the endpoint's owner (a company its author hid is not shown to other partners). */
const Carried = (post: string) => Type.Object({ thread: Thread, post: Post }, { description: `The thread, and as \`post\` ${post}` })

/**
 * The forums' webhook events: every partner whose people may read the forum hears of it (a held,
 * hidden or deleted post is not sent), staff endpoints of every forum.
 */
export const webhookTypes: Record<string, WebhookType> = {
  'thread.created': { label: 'Forum thread started', data: Carried('its first post.'), staffOnly: false },
  'post.created': { label: 'Forum reply posted', data: Carried('the reply.'), staffOnly: false },
  'answer.accepted': { label: 'Forum question answered (a reply marked as the answer)', data: Carried('the reply marked as the answer.'), staffOnly: false }
}

type ForumEvent = 'forum.thread-created' | 'forum.post-created' | 'forum.answer-accepted'

const forumEvent = <N extends ForumEvent & EventName>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: (_cradle, event, db) => partnersReading(db, event.payload.forumId),
  data: async (cradle, event, partnerId, db) => {
    const reader: Reader = partnerId ? { kind: 'partner', partnerId, levelIds: await levelsCoveredBy(db, partnerId) } : { kind: 'staff' }
    return cradle.forumReading.resource(reader, event.payload.threadId, event.payload.postId, db)
  }
})

export const webhookSources: WebhookSources = {
  'forum.thread-created': forumEvent('thread.created'),
  'forum.post-created': forumEvent('post.created'),
  'forum.answer-accepted': forumEvent('answer.accepted')
}
