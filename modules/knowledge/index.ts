import path from 'node:path'
import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import knowledgeRoutes from './knowledge.routes.ts'
import knowledgeApi from './knowledge.api.ts'
import { seedKnowledge } from './knowledge.seed.ts'
import { ArticlesService } from './articles.service.ts'
import { Readers } from './audience.service.ts'
import { CategoriesService } from './categories.service.ts'
import { KnowledgeReading } from './reading.service.ts'
import { KnowledgeVotes } from './votes.service.ts'
import { KnowledgeEngagement } from './engagement.service.ts'
import { KnowledgeAttachments } from './attachments.service.ts'
import { knowledgeWidget } from './knowledge.widgets.ts'
import { articleSuggestions } from './knowledge.suggestions.ts'

/** Who a viewer reads as under the audience rule (core/identity/audience.ts), for other features with audiences. */
export { Readers } from './audience.service.ts'
/** Links to articles in other features' Markdown: which a text makes, and how each shows (with the title the reader may read). */
export { linkedSlugs, resolveArticleLink } from './markdown.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    knowledgeReaders: Readers
    knowledgeCategories: CategoriesService
    knowledgeArticles: ArticlesService
    knowledgeReading: KnowledgeReading
    knowledgeVotes: KnowledgeVotes
    knowledgeEngagement: KnowledgeEngagement
    knowledgeAttachments: KnowledgeAttachments
  }
}

const knowledge: Feature = {
  name: 'knowledge',
  dependsOn: ['partners'],
  register(container) {
    const { db, jobs, mailer, partners, pageLoader } = container.cradle
    const readers = new Readers({ db })
    container.register({
      knowledgeReaders: asValue(readers),
      knowledgeCategories: asValue(new CategoriesService({ db })),
      knowledgeArticles: asValue(new ArticlesService({ db, jobs, mailer, partners, pageLoader })),
      knowledgeReading: asValue(new KnowledgeReading({ db, readers, pageLoader })),
      knowledgeVotes: asValue(new KnowledgeVotes({ db })),
      knowledgeEngagement: asValue(new KnowledgeEngagement({ db, pageLoader })),
      knowledgeAttachments: asValue(new KnowledgeAttachments({ db }))
    })
  },
  routes: knowledgeRoutes,
  api: knowledgeApi,
  assets: { dir: path.join(import.meta.dirname, 'assets'), stylesheets: ['knowledge.css'] },
  nav: [
    { audience: 'public', label: 'Knowledge base', href: '/kb', order: 30 },
    { audience: 'partner', label: 'Knowledge', href: '/portal/knowledge', order: 50 },
    { audience: 'staff', label: 'Knowledge', href: '/admin/knowledge', order: 40, menu: 'Content' }
  ],
  widgets: [knowledgeWidget],
  suggestions: [articleSuggestions],
  seed: seedKnowledge
}

export default knowledge
