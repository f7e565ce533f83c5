import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import type { EventName } from '../../core/background/events/events.ts'
import { deliverJob, WebhookDelivery, type Delivery } from './webhook-delivery.service.ts'
import { apiWebhooks } from './webhooks.openapi.ts'
import webhooksRoutes from './webhooks.routes.ts'
import { WebhooksService } from './webhooks.service.ts'

declare module '../../core/container.ts' {
  interface Cradle {
    webhooks: WebhooksService
    webhookDelivery: WebhookDelivery
  }
}

/** How long a receiver has to answer a delivery. */
const deliveryTimeoutMs = 10_000

/**
 * Webhooks: signed HTTP deliveries of the portal's events to endpoints that partner admins (their
 * company's events) and staff admins (every event) register under Integrations. The events are the
 * features' own (their `webhookTypes` and `webhookSources`): this module imports none of them.
 */
const webhooks: Feature = {
  name: 'webhooks',
  dependsOn: ['partners', 'integrations'],
  register(container) {
    const { db, jobs, events, mailer, config, contributions } = container.cradle
    const allowPrivate = config.WEBHOOKS_ALLOW_PRIVATE
    const sources = contributions.webhookSources
    const delivery = new WebhookDelivery({ cradle: container.cradle, sources, jobs, mailer, allowPrivate, timeoutMs: deliveryTimeoutMs })
    for (const name of Object.keys(sources) as EventName[]) {
      events.subscribe(name, 'webhooks', (event, trx) => delivery.fanOut(event, trx), (event, trx) => delivery.wanted(event, trx))
    }
    jobs.register(deliverJob, (payload, trx, attempt) => delivery.deliver(payload as unknown as Delivery, trx, attempt))
    container.register({
      webhooks: asValue(new WebhooksService({ db, jobs, allowPrivate, types: contributions.webhookTypes })),
      webhookDelivery: asValue(delivery)
    })
  },
  routes: webhooksRoutes,
  apiWebhooks
}

export default webhooks
