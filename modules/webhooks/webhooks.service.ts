import { randomUUID } from 'node:crypto'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import type { JobRunner } from '../../core/background/jobs/job-runner.ts'
import { Invalid, NotFound } from '../../core/lib/errors.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import * as repo from './webhooks.repository.ts'
import type { EndpointRow } from './webhooks.table.ts'
import type { WebhookType } from '../../core/features/features.ts'
import { testType } from './webhook-events.ts'
import { urlProblem } from './webhook-request.ts'
import { newSecret } from './webhook-signature.ts'
import { deliverJob, type Delivery } from './webhook-delivery.service.ts'

/** How long a rotated-out secret still signs beside the new one. */
export const rotationOverlapHours = 24

export interface EndpointForm { url: string; description: string; events: string[] }

/** Whose endpoints a viewer manages: their company's, or the staff's (null). */
const ownerOf = (viewer: Viewer) => (viewer.kind === 'partner' ? viewer.partnerId : null)

/** What an audit entry keeps of an endpoint (never its secret). */
const snapshot = (e: Pick<EndpointRow, 'url' | 'description' | 'events' | 'enabled'>) => ({ url: e.url, description: e.description, events: e.events, enabled: e.enabled })

/**
 * Webhook endpoints: a partner admin's receive their company's events, a staff admin's every event.
 * Each change is audited; the secret is shown once, when it is made.
 */
export class WebhooksService {
  constructor(private readonly deps: { db: Db; jobs: JobRunner; allowPrivate: boolean; types: Readonly<Record<string, WebhookType>> }) {}

  /** The event types this viewer may pick. */
  typesFor(viewer: Viewer): Array<{ value: string; label: string }> {
    return Object.entries(this.deps.types).filter(([, type]) => viewer.kind === 'staff' || !type.staffOnly).map(([value, type]) => ({ value, label: type.label }))
  }

  private check(viewer: Viewer, form: EndpointForm): EndpointForm {
    const url = form.url.trim()
    const description = form.description.trim()
    const events = [...new Set(form.events)]
    const errors: Record<string, string> = {}
    const allowed = this.typesFor(viewer).map((type) => type.value)
    if (!url) errors.url = 'Enter the address that receives the events.'
    else if (url.length > 2000) errors.url = 'Keep the address to 2,000 characters.'
    else {
      const problem = urlProblem(url, this.deps.allowPrivate)
      if (problem) errors.url = problem
    }
    if (description.length > 200) errors.description = 'Keep the description to 200 characters.'
    if (events.length === 0) errors.events = 'Choose at least one event.'
    else if (events.some((e) => !allowed.includes(e))) errors.events = 'Choose among the events listed.'
    if (Object.keys(errors).length) throw new Invalid(errors)
    return { url, description, events }
  }

  async create(viewer: Viewer, form: EndpointForm): Promise<{ endpoint: EndpointRow; secret: string }> {
    const fields = this.check(viewer, form)
    const secret = newSecret()
    return this.deps.db.transaction().execute(async (trx) => {
      const endpoint = await repo.insertEndpoint(trx, ownerOf(viewer), viewer.id, fields, secret)
      await audit(trx, viewer, { action: 'webhook.created', entity: 'webhook', entityId: endpoint.id, partnerId: endpoint.partner_id, after: snapshot(endpoint) })
      return { endpoint, secret }
    })
  }

  async list(viewer: Viewer, after: unknown, size: number) {
    return timePage(await repo.listEndpoints(this.deps.db, ownerOf(viewer), size + 1, timeCursor(after)), size, (row) => row.created_key)
  }

  async get(viewer: Viewer, id: string): Promise<EndpointRow> {
    const endpoint = await repo.findEndpoint(this.deps.db, ownerOf(viewer), id)
    if (!endpoint) throw new NotFound('The webhook endpoint')
    return endpoint
  }

  /** The endpoint's delivery log, latest first. */
  async deliveries(viewer: Viewer, id: string, after: unknown, size: number) {
    const endpoint = await this.get(viewer, id)
    return timePage(await repo.listDeliveries(this.deps.db, endpoint.id, size + 1, timeCursor(after)), size, (row) => row.created_key)
  }

  /** Changes what the endpoint is: address, description, events. */
  async update(viewer: Viewer, id: string, form: EndpointForm): Promise<void> {
    const before = await this.get(viewer, id)
    const fields = this.check(viewer, form)
    await this.change(viewer, id, 'webhook.updated', fields, before)
  }

  /** Switches the endpoint on or off; on again, its failures are forgotten. */
  async setEnabled(viewer: Viewer, id: string, enabled: boolean): Promise<EndpointRow> {
    const before = await this.get(viewer, id)
    return this.change(viewer, id, enabled ? 'webhook.enabled' : 'webhook.disabled',
      enabled ? { enabled, disabled_reason: null, failing_since: null } : { enabled, disabled_reason: `Switched off by ${viewer.name}.` }, before)
  }

  /** A new secret, shown once; the old one signs beside it for `rotationOverlapHours`, so receivers can switch without losing events. */
  async rotateSecret(viewer: Viewer, id: string): Promise<string> {
    const before = await this.get(viewer, id)
    const secret = newSecret()
    await this.change(viewer, id, 'webhook.secret-rotated',
      { secret, previous_secret: before.secret, previous_secret_until: new Date(Date.now() + rotationOverlapHours * 3_600_000) }, before)
    return secret
  }

  private async change(viewer: Viewer, id: string, action: string, changes: Parameters<typeof repo.updateEndpoint>[3], before: EndpointRow): Promise<EndpointRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const after = await repo.updateEndpoint(trx, ownerOf(viewer), id, changes)
      if (!after) throw new NotFound('The webhook endpoint')
      await audit(trx, viewer, { action, entity: 'webhook', entityId: id, partnerId: after.partner_id, before: snapshot(before), after: snapshot(after) })
      return after
    })
  }

  async remove(viewer: Viewer, id: string): Promise<string> {
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.deleteEndpoint(trx, ownerOf(viewer), id)
      if (!row) throw new NotFound('The webhook endpoint')
      await audit(trx, viewer, { action: 'webhook.deleted', entity: 'webhook', entityId: id, partnerId: row.partner_id, before: snapshot(row) })
      return row.url
    })
  }

  /** Queues a `webhook.test` event for the endpoint, delivered (and logged) like any other. */
  async sendTest(viewer: Viewer, id: string): Promise<void> {
    const endpoint = await this.get(viewer, id)
    const time = new Date().toISOString()
    const eventId = randomUUID()
    const body = JSON.stringify({ id: eventId, type: testType, time, data: { endpointId: endpoint.id, message: `A test event sent by ${viewer.name}.` } })
    const delivery: Delivery = { endpointId: endpoint.id, eventId, type: testType, body, firstAt: time }
    await this.deps.db.transaction().execute((trx) => this.deps.jobs.enqueue(trx, deliverJob, { ...delivery }, undefined, { orderingKey: `webhook:${endpoint.id}:test` }))
  }
}
