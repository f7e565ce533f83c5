import type { Cradle } from '../../core/container.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { DomainEvent, EventName } from '../../core/background/events/events.ts'
import type { JobAttempt, JobRunner, RetryAt } from '../../core/background/jobs/job-runner.ts'
import type { Mailer } from '../../core/background/mail/mailer.ts'
import type { WebhookSource, WebhookSources } from '../../core/features/features.ts'
import * as repo from './webhooks.repository.ts'
import { postJson } from './webhook-request.ts'
import { signatureHeader } from './webhook-signature.ts'

/** The job kind of one event's delivery to one endpoint. */
export const deliverJob = 'webhook.deliver'

/** What a delivery job carries: the body is made once, so every attempt sends the same bytes. */
export interface Delivery { endpointId: string; eventId: string; type: string; body: string; firstAt: string }

const hour = 3_600_000
/** Failed deliveries are retried for this long after the first attempt, then given up. */
export const retryForMs = 24 * hour
/** An endpoint whose deliveries fail for this long without one success is switched off. */
export const switchOffAfterMs = 72 * hour

/** The wait after a failed attempt: 30 s, doubling, at most an hour. */
export const backoffMs = (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), hour)

/** `cradle`: the services the features' sources read their resources with. */
type Deps = { cradle: Cradle; sources: WebhookSources; jobs: JobRunner; mailer: Mailer; allowPrivate: boolean; timeoutMs: number }

/**
 * Sends events to endpoints. A domain event's subscriber job (after its commit) queues one delivery
 * per endpoint that takes it, ordered per endpoint and record; each delivery is signed, logged, and
 * retried on its own schedule until it succeeds or 24 hours pass.
 */
export class WebhookDelivery {
  /** The time deliveries go by; the tests move it on. */
  now: () => Date = () => new Date()

  constructor(private readonly deps: Deps) {}

  private sourceOf<N extends EventName>(event: DomainEvent<N>): WebhookSource<N> | undefined {
    return this.deps.sources[event.name] as WebhookSource<N> | undefined
  }

  private async endpointsFor<N extends EventName>(source: WebhookSource<N>, event: DomainEvent<N>, trx: DbOrTrx) {
    return repo.endpointsFor(trx, source.type, await source.partnersOf(this.deps.cradle, event, trx), new Date(event.occurredAt))
  }

  /** Whether any endpoint would take the event now: without one, no fan-out job is queued for it. */
  async wanted<N extends EventName>(event: DomainEvent<N>, trx: DbOrTrx): Promise<boolean> {
    const source = this.sourceOf(event)
    return source !== undefined && (await this.endpointsFor(source, event, trx)).length > 0
  }

  /**
   * Queues the event's deliveries, with the resource as the API shows it to each endpoint's owner
   * now, right after the commit (two quick changes of one record may both carry the later state).
   */
  async fanOut<N extends EventName>(event: DomainEvent<N>, trx: DbOrTrx): Promise<void> {
    const source = this.sourceOf(event)
    if (!source) return
    const endpoints = await this.endpointsFor(source, event, trx)
    const views = new Map<string | null, unknown>()
    for (const endpoint of endpoints) {
      if (!views.has(endpoint.partner_id)) views.set(endpoint.partner_id, await source.data(this.deps.cradle, event, endpoint.partner_id, trx))
      const data = views.get(endpoint.partner_id)
      if (data === null) continue
      const body = JSON.stringify({ id: event.id, type: source.type, time: event.occurredAt, data })
      const delivery: Delivery = { endpointId: endpoint.id, eventId: event.id, type: source.type, body, firstAt: this.now().toISOString() }
      await this.deps.jobs.enqueue(trx, deliverJob, { ...delivery }, undefined, { orderingKey: `webhook:${endpoint.id}:${event.subject}` })
    }
  }

  /** One attempt: its outcome is logged; a failure is retried later (the job waits, and so do the record's later events). */
  async deliver(delivery: Delivery, trx: DbOrTrx, attempt: JobAttempt): Promise<RetryAt | void> {
    const endpoint = await repo.endpointById(trx, delivery.endpointId)
    if (!endpoint) return
    const log = { endpoint_id: endpoint.id, event_id: delivery.eventId, event_type: delivery.type, attempt: attempt.number }
    if (!endpoint.enabled) return repo.insertDelivery(trx, { ...log, outcome: 'skipped', error: 'The endpoint is switched off.' })
    const now = this.now()
    const secrets = [endpoint.secret, ...(endpoint.previous_secret && endpoint.previous_secret_until && endpoint.previous_secret_until > now ? [endpoint.previous_secret] : [])]
    const headers = {
      'portal-signature': signatureHeader(secrets, Math.floor(now.getTime() / 1000), delivery.body),
      'portal-event-id': delivery.eventId, 'portal-event-type': delivery.type
    }
    let error: string
    let answer: Awaited<ReturnType<typeof postJson>> | undefined
    try {
      answer = await postJson(endpoint.url, delivery.body, headers, { allowPrivate: this.deps.allowPrivate, timeoutMs: this.deps.timeoutMs })
      error = `The receiver answered HTTP ${answer.status}.`
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
    }
    const answered = { http_status: answer?.status ?? null, duration_ms: answer?.durationMs ?? null, response_excerpt: answer?.excerpt || null }
    if (answer && answer.status >= 200 && answer.status < 300) {
      await repo.insertDelivery(trx, { ...log, ...answered, outcome: 'delivered' })
      if (endpoint.failing_since) await repo.markEndpointFailing(trx, endpoint.id, null)
      return
    }
    const failingSince = endpoint.failing_since ?? now
    if (now.getTime() - failingSince.getTime() >= switchOffAfterMs) {
      await repo.insertDelivery(trx, { ...log, ...answered, outcome: 'gave-up', error: `${error} The endpoint failed for 3 days and is switched off.` })
      return this.switchOff(trx, endpoint)
    }
    if (!endpoint.failing_since) await repo.markEndpointFailing(trx, endpoint.id, now)
    const wait = backoffMs(attempt.number)
    if (now.getTime() + wait - new Date(delivery.firstAt).getTime() > retryForMs) {
      return repo.insertDelivery(trx, { ...log, ...answered, outcome: 'gave-up', error: `${error} Retried for 24 hours; given up.` })
    }
    await repo.insertDelivery(trx, { ...log, ...answered, outcome: 'failed', error })
    return { retryAt: new Date(now.getTime() + wait), error }
  }

  private async switchOff(trx: DbOrTrx, endpoint: { id: string; url: string; created_by: string | null; partner_id: string | null }): Promise<void> {
    await repo.switchOffEndpoint(trx, endpoint.id, 'Every delivery failed for 3 days.')
    const owner = endpoint.created_by ? await repo.personToTell(trx, endpoint.created_by) : undefined
    if (!owner || owner.status !== 'active') return
    const place = endpoint.partner_id ? '/portal/integrations/webhooks' : '/admin/integrations/webhooks'
    await this.deps.mailer.send(trx, {
      to: owner.email,
      subject: 'A webhook endpoint was switched off',
      body: `Hello ${owner.name},\n\nEvery delivery to ${endpoint.url} failed for 3 days, so the portal stopped sending events there.\n` +
        `See the delivery log, fix the receiver and switch the endpoint on again here:\n\n${this.deps.mailer.link(`${place}/${endpoint.id}`)}\n`
    })
  }
}
