/**
 * What the forums tell the others, once a post shows (a held one when it is approved): for the
 * webhooks' thread.created, post.created and answer.accepted once the webhook catalogue takes
 * events from features. The subject is the thread, so one thread's events arrive in order.
 */
declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    'forum.thread-created': { threadId: string; forumId: string; postId: string; by: string }
    'forum.post-created': { threadId: string; forumId: string; postId: string; number: number; by: string }
    'forum.answer-accepted': { threadId: string; forumId: string; postId: string; by: string }
  }
}

export {}
