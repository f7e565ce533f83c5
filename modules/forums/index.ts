import path from 'node:path'
import { asValue } from 'awilix'
import { Type } from '../../core/lib/validation.ts'
import type { Feature } from '../../core/features/features.ts'
import forumsRoutes from './forums.routes.ts'
import forumsApi from './forums.api.ts'
import { seedForums } from './forums.seed.ts'
import { ForumStructure } from './structure.service.ts'
import { ForumReading } from './reading.service.ts'
import { ForumPosting } from './posting.service.ts'
import { ForumModeration } from './moderation.service.ts'
import { ForumSearchService } from './search.service.ts'
import { ForumFollowing } from './following.service.ts'
import { ForumCases } from './thread-cases.service.ts'
import { sessionSecret } from '../../core/identity/session-secret.ts'
import { answeredThreads } from './forums.suggestions.ts'
import { webhookSources, webhookTypes } from './forums.webhooks.ts'

declare module '../../core/config.ts' {
  interface Config {
    FORUM_POSTS_PER_HOUR: number
    FORUM_HELD_FIRST_POSTS: number
    FORUM_UNANSWERED_BUSINESS_HOURS: number
  }
}

declare module '../../core/container.ts' {
  interface Cradle {
    forumStructure: ForumStructure
    forumReading: ForumReading
    forumPosting: ForumPosting
    forumModeration: ForumModeration
    forumSearch: ForumSearchService
    forumFollowing: ForumFollowing
    forumCases: ForumCases
  }
}

const forums: Feature = {
  name: 'forums',
  dependsOn: ['partners', 'knowledge', 'cases'],
  register(container) {
    const { db, clock, partners, config, mailer, jobs, events, knowledgeReading, knowledgeReaders, pageLoader, cases, caseDesk, channelAreas } = container.cradle
    const posting = new ForumPosting({ db, clock, partners, events, rules: { postsPerHour: config.FORUM_POSTS_PER_HOUR, heldFirstPosts: config.FORUM_HELD_FIRST_POSTS } })
    const followingService = new ForumFollowing({ db, clock, mailer, jobs, secret: sessionSecret(config) })
    posting.onPosted(followingService.notify)
    const forumCases = new ForumCases({ db, clock, channelAreas, cases, caseDesk, posting })
    events.subscribe('case.replied', 'forums', (event, trx) => forumCases.replied(event, trx), (event, trx) => forumCases.wanted(event, trx))
    events.subscribe('case.status-changed', 'forums', (event, trx) => forumCases.resolved(event, trx), (event, trx) => forumCases.wantedStatus(event, trx))
    container.register({
      forumStructure: asValue(new ForumStructure({ db, partners })),
      forumReading: asValue(new ForumReading({ db, clock, readers: knowledgeReaders, pageLoader, articleTitles: (reader, slugs) => knowledgeReading.titles(reader, slugs) })),
      forumPosting: asValue(posting),
      forumFollowing: asValue(followingService),
      forumCases: asValue(forumCases),
      forumModeration: asValue(new ForumModeration({ db, clock, unansweredHours: config.FORUM_UNANSWERED_BUSINESS_HOURS, pageLoader })),
      forumSearch: asValue(new ForumSearchService({ db }))
    })
  },
  routes: forumsRoutes,
  api: forumsApi,
  config: Type.Object({
    FORUM_POSTS_PER_HOUR: Type.Integer({ default: 30, minimum: 0, maximum: 10_000, description: 'How many forum posts one partner user may write in an hour (0: no limit; staff have none).' }),
    FORUM_HELD_FIRST_POSTS: Type.Integer({ default: 0, minimum: 0, maximum: 100, description: 'How many of a partner user’s first forum posts wait for a moderator’s approval (0: none).' }),
    FORUM_UNANSWERED_BUSINESS_HOURS: Type.Integer({ default: 8, minimum: 1, maximum: 1000, description: 'After how many business hours (Monday to Friday, 9:00–17:00 UTC) a question without an answer joins the moderation queue.' })
  }),
  assets: { dir: path.join(import.meta.dirname, 'assets'), stylesheets: ['forums.css'] },
  nav: [
    { audience: 'public', label: 'Community', href: '/forums', order: 30 },
    { audience: 'partner', label: 'Forums', href: '/portal/forums', order: 55 },
    { audience: 'staff', label: 'Forums', href: '/admin/forums', order: 45, menu: 'Content' }
  ],
  suggestions: [answeredThreads],
  webhookTypes,
  webhookSources,
  seed: seedForums
}

export default forums
