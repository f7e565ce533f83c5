import Type from 'typebox'
import type { WebhookSource, WebhookSources, WebhookType } from '../../core/features/features.ts'
import { Account } from './customers.resource.ts'

/** The customers' webhook events: a partner's endpoints get those of its own accounts. */
export const webhookTypes: Record<string, WebhookType> = {
  'customer.created': { label: 'Customer created', data: Account, staffOnly: false },
  'customer.updated': { label: 'Customer updated', data: Account, staffOnly: false },
  'customer.removed': {
    label: 'Customer removed', staffOnly: false,
    data: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }, { description: 'The account that was removed.' })
  }
}

const account = <N extends 'customer.created' | 'customer.updated'>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: async (_cradle, event) => [event.payload.partnerId],
  data: (cradle, event, _partnerId, db) => cradle.customersAdmin.resource(event.payload.accountId, db)
})

export const webhookSources: WebhookSources = {
  'customer.created': account('customer.created'),
  'customer.updated': account('customer.updated'),
  'customer.removed': {
    type: 'customer.removed',
    partnersOf: async (_cradle, event) => [event.payload.partnerId],
    data: async (_cradle, event) => ({ id: event.payload.accountId, name: event.payload.name })
  }
}
