import path from 'node:path'
import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import forumsRoutes from './forums.routes.ts'
import { seedForums } from './forums.seed.ts'
import { ForumStructure } from './structure.service.ts'
import { ForumReading } from './reading.service.ts'
import { ForumPosting } from './posting.service.ts'
import { ForumModeration } from './moderation.service.ts'
import { ForumSearchService } from './search.service.ts'
import { ForumFollowing } from './following.service.ts'
import { sessionSecret } from '../../core/identity/session-secret.ts'
import { answeredThreads } from './forums.suggestions.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    forumStructure: ForumStructure
    forumReading: ForumReading
    forumPosting: ForumPosting
    forumModeration: ForumModeration
    forumSearch: ForumSearchService
    forumFollowing: ForumFollowing
  }
}

const forums: Feature = {
  name: 'forums',
  dependsOn: ['partners', 'knowledge'],
  register(container) {
    const { db, clock, partners, config, mailer, jobs } = container.cradle
    const posting = new ForumPosting({ db, clock, partners })
    const followingService = new ForumFollowing({ db, clock, mailer, jobs, secret: sessionSecret(config) })
    posting.onPosted(followingService.notify)
    container.register({
      forumStructure: asValue(new ForumStructure({ db, partners })),
      forumReading: asValue(new ForumReading({ db, clock })),
      forumPosting: asValue(posting),
      forumFollowing: asValue(followingService),
      forumModeration: asValue(new ForumModeration({ db, clock })),
      forumSearch: asValue(new ForumSearchService({ db }))
    })
  },
  routes: forumsRoutes,
  assets: { dir: path.join(import.meta.dirname, 'assets'), stylesheets: ['forums.css'] },
  nav: [
    { audience: 'public', label: 'Community', href: '/forums', order: 30 },
    { audience: 'partner', label: 'Forums', href: '/portal/forums', order: 55 },
    { audience: 'staff', label: 'Forums', href: '/admin/forums', order: 45 }
  ],
  suggestions: [answeredThreads],
  seed: seedForums
}

export default forums
