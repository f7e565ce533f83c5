import path from 'node:path'
import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import { CaseAttachments } from './attachments.service.ts'
import { CannedReplies } from './canned.service.ts'
import { CaseViews } from './views.service.ts'
import { CaseAssignment } from './assignment.service.ts'
import { CaseDesk } from './case-desk.service.ts'
import casesRoutes from './cases.routes.ts'
import casesApi from './cases.api.ts'
import { dealPanel } from './cases.panels.ts'
import { seedCases } from './cases.seed.ts'
import { CasesService } from './cases.service.ts'
import { CaseSuggestions } from './suggestions.service.ts'
import { CaseTargets } from './targets.service.ts'
import { webhookSources, webhookTypes } from './cases.webhooks.ts'

declare module '../../core/identity/access.ts' {
  interface ChannelAreaNames {
    cases: true
  }
}

declare module '../../core/container.ts' {
  interface Cradle {
    cases: CasesService
    caseDesk: CaseDesk
    caseAttachments: CaseAttachments
    caseSuggestions: CaseSuggestions
    caseTargets: CaseTargets
    cannedReplies: CannedReplies
    caseAssignment: CaseAssignment
    caseViews: CaseViews
  }
}

const cases: Feature = {
  name: 'cases',
  dependsOn: ['partners', 'customers', 'opportunities'],
  register(container) {
    const { db, clock, events, mailer, users, jobs, customers, opportunities, pageLoader } = container.cradle
    const caseAttachments = new CaseAttachments({ db })
    const caseTargets = new CaseTargets({ db, clock, jobs, mailer, events })
    const caseAssignment = new CaseAssignment({ db })
    const casesService = new CasesService({
      db, clock, mailer, pageLoader, events, caseAttachments, caseTargets, caseAssignment,
      links: { account: (viewer, id) => customers.account(viewer, id), opportunity: (viewer, id) => opportunities.forPartner(viewer, id) }
    })
    events.on('opportunity.stage-changed', (event, trx) => casesService.dealChanged(trx, event.payload.opportunityId, { stage: event.payload.to, status: 'open' }))
    for (const ended of ['opportunity.won', 'opportunity.lost', 'opportunity.returned'] as const) {
      events.on(ended, (event, trx) => casesService.dealChanged(trx, event.payload.opportunityId, { closed: true }))
    }
    container.register({
      caseAttachments: asValue(caseAttachments),
      caseTargets: asValue(caseTargets),
      caseAssignment: asValue(caseAssignment),
      cases: asValue(casesService),
      caseDesk: asValue(new CaseDesk({ db, clock, events, mailer, users, pageLoader, caseAttachments, caseTargets, deals: opportunities })),
      caseSuggestions: asValue(new CaseSuggestions(container.cradle)),
      cannedReplies: asValue(new CannedReplies({ db, pageLoader })),
      caseViews: asValue(new CaseViews({ db, pageLoader }))
    })
  },
  routes: casesRoutes,
  api: casesApi,
  areas: [{ name: 'cases', label: 'Support cases', scope: 'own', actions: { create: true, edit: true } }],
  nav: [
    { audience: 'partner', label: 'Support', href: '/portal/cases', order: 60, area: 'cases' },
    { audience: 'staff', label: 'Cases', href: '/admin/cases', order: 30 },
    { audience: 'staff', label: 'Case targets', href: '/admin/cases/targets', order: 89, access: 'staff-admin', menu: 'Settings' },
    { audience: 'staff', label: 'Case assignment', href: '/admin/cases/assignment', order: 89, access: 'staff-admin', menu: 'Settings' }
  ],
  assets: { dir: path.join(import.meta.dirname, 'assets'), stylesheets: ['cases.css'] },
  panels: [dealPanel],
  webhookTypes,
  webhookSources,
  seed: seedCases
}

export default cases
