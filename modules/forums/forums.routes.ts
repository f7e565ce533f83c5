import type { FastifyPluginAsync } from 'fastify'
import { partnerViewer, signedIn } from '../../core/identity/access.ts'
import { visitor } from '../../core/identity/audience.ts'
import forumsAdminRoutes from './forums-admin.routes.ts'
import forumsModerationRoutes from './forums-moderation.routes.ts'
import forumsFollowingRoutes from './forums-following.routes.ts'
import { forumReaderRoutes } from './forums-reading.routes.ts'

const forumsRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeReaders } = app.diContainer.cradle
  await app.register(forumsAdminRoutes)
  await app.register(forumsModerationRoutes)
  await app.register(forumsFollowingRoutes)
  await app.register(forumReaderRoutes({
    base: '/portal/forums', access: 'partner', writes: true, staff: false,
    who: async (request) => { const viewer = partnerViewer(request); return { viewer, reader: await knowledgeReaders.of(viewer) } },
    ref: (request) => { const viewer = partnerViewer(request); return { viewer, reader: knowledgeReaders.ref(viewer) } }
  }))
  await app.register(forumReaderRoutes({ base: '/forums', access: 'public', writes: false, staff: false, who: async () => ({ viewer: null, reader: visitor }), ref: () => ({ viewer: null, reader: visitor }) }))
  await app.register(forumReaderRoutes({
    base: '/admin/forums', access: 'staff', writes: true, staff: true,
    who: async (request) => ({ viewer: signedIn(request), reader: { kind: 'staff' } }),
    ref: (request) => ({ viewer: signedIn(request), reader: { kind: 'staff' } })
  }))
}

export default forumsRoutes
