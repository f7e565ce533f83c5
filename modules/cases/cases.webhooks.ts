import type { WebhookSource, WebhookSources, WebhookType } from '../../core/features/features.ts'
import { Case, CaseReplied } from './cases.resource.ts'

/** The cases' webhook events: a partner's endpoints get those of its own cases (public replies only). */
export const webhookTypes: Record<string, WebhookType> = {
  'case.created': { label: 'Support case opened', data: Case, staffOnly: false },
  'case.replied': { label: 'Support case replied to (public replies only)', data: CaseReplied, staffOnly: false },
  'case.status-changed': { label: 'Support case status changed', data: Case, staffOnly: false },
  'case.breached': { label: 'Support case missed a service target', data: Case, staffOnly: false }
}

const supportCase = <N extends 'case.created' | 'case.status-changed' | 'case.breached'>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: async (_cradle, event) => [event.payload.partnerId],
  data: (cradle, event, _partnerId, db) => cradle.caseDesk.resource(event.payload.caseId, db)
})

export const webhookSources: WebhookSources = {
  'case.created': supportCase('case.created'),
  'case.replied': {
    type: 'case.replied',
    partnersOf: async (_cradle, event) => [event.payload.partnerId],
    data: (cradle, event, _partnerId, db) => cradle.caseDesk.replyResource(event.payload.caseId, event.payload.eventId, db)
  },
  'case.status-changed': supportCase('case.status-changed'),
  'case.breached': supportCase('case.breached')
}
