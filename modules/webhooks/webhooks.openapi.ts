import Type, { type TSchema } from 'typebox'
import { OneOf, Timestamp } from '../../core/api/schemas.ts'
import type { Contributions } from '../../core/features/contributions.ts'
import { testType } from './webhook-events.ts'

const signature = {
  name: 'Portal-Signature', in: 'header', required: true, schema: { type: 'string' },
  description: '`t=<unix seconds>,v1=<hex>`: HMAC-SHA256 with the endpoint’s secret over `<t>.<body>`. Two `v1` values while a rotated secret’s 24-hour overlap lasts; accept either. Refuse a `t` far from now.'
}

const envelope = (type: string, data: TSchema) => Type.Object({
  id: Type.String({ format: 'uuid', description: 'The event’s id: the same on every retry, so a receiver can skip a repeat.' }),
  type: OneOf([type]),
  time: Timestamp,
  data
})

const entry = (type: string, summary: string, data: TSchema) => ({
  post: {
    summary, tags: ['Webhooks'], operationId: `webhook-${type}`,
    parameters: [signature, { name: 'Portal-Event-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } }],
    requestBody: { required: true, content: { 'application/json': { schema: envelope(type, data) } } },
    responses: { 200: { description: 'Any 2xx acknowledges it. Anything else, or no answer within 10 seconds, is retried with back-off for 24 hours.' } }
  }
})

/** The events the portal sends, for the OpenAPI document's `webhooks`: one entry per event type the features offer, its body from the API's own schemas. */
export const apiWebhooks = (contributions: Contributions): Record<string, Record<string, unknown>> => ({
  ...Object.fromEntries(Object.entries(contributions.webhookTypes).map(([name, type]) => [name, entry(name, type.label, type.data)])),
  [testType]: entry(testType, 'Test event (the “Send a test event” button)', Type.Object({ endpointId: Type.String({ format: 'uuid' }), message: Type.String() }))
})
