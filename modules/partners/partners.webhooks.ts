import type { WebhookSource, WebhookSources, WebhookType } from '../../core/features/features.ts'
import { Application } from './partners.resource.ts'

/** Partner applications' webhook events: for staff endpoints only. */
export const webhookTypes: Record<string, WebhookType> = {
  'application.submitted': { label: 'Partner application submitted', data: Application, staffOnly: true },
  'application.decided': { label: 'Partner application approved or rejected', data: Application, staffOnly: true }
}

const application = <N extends 'partner.applied' | 'partner.approved' | 'partner.rejected'>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: async () => [],
  data: (cradle, event, _partnerId, db) => cradle.partners.applicationResource(event.payload.partnerId, db)
})

export const webhookSources: WebhookSources = {
  'partner.applied': application('application.submitted'),
  'partner.approved': application('application.decided'),
  'partner.rejected': application('application.decided')
}
