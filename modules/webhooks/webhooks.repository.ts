import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { DeliveryOutcome, EndpointRow } from './webhooks.table.ts'

/** The company's endpoints (partnerId), or the staff's (null): the one WHERE clause every read and change of them uses. */
const ownedBy = (partnerId: string | null) =>
  partnerId === null ? sql<boolean>`webhook_endpoints.partner_id is null` : sql<boolean>`webhook_endpoints.partner_id = ${partnerId}`

export interface EndpointFields { url: string; description: string; events: string[] }

export function insertEndpoint(trx: DbOrTrx, partnerId: string | null, createdBy: string, fields: EndpointFields, secret: string) {
  return trx.insertInto('webhook_endpoints')
    .values({ partner_id: partnerId, created_by: createdBy, url: fields.url, description: fields.description, events: fields.events, secret })
    .returningAll().executeTakeFirstOrThrow()
}

export function listEndpoints(db: DbOrTrx, partnerId: string | null, limit: number, after?: { key: string; id: string }) {
  let query = db.selectFrom('webhook_endpoints')
    .select(['id', 'url', 'description', 'events', 'enabled', 'disabled_reason', 'failing_since', 'created_at', sql<string>`created_at::text`.as('created_key')])
    .where(ownedBy(partnerId))
  if (after) query = query.where((eb) => eb.or([eb('created_at', '<', sql<Date>`${after.key}::timestamptz`), eb.and([eb('created_at', '=', sql<Date>`${after.key}::timestamptz`), eb('id', '<', after.id)])]))
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

export function findEndpoint(db: DbOrTrx, partnerId: string | null, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where(ownedBy(partnerId)).executeTakeFirst()
}

/** Any endpoint by id: for deliveries, which run for every owner. */
export function endpointById(db: DbOrTrx, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Notes the first failure since the last success (null: a success). A failure keeps the earliest time. */
export async function markEndpointFailing(trx: DbOrTrx, id: string, since: Date | null): Promise<void> {
  await trx.updateTable('webhook_endpoints').set({ failing_since: since === null ? null : sql<Date>`coalesce(failing_since, ${since})` }).where('id', '=', id).execute()
}

export async function switchOffEndpoint(trx: DbOrTrx, id: string, reason: string): Promise<void> {
  await trx.updateTable('webhook_endpoints').set({ enabled: false, disabled_reason: reason, updated_at: sql`now()` }).where('id', '=', id).execute()
}

export function updateEndpoint(trx: DbOrTrx, partnerId: string | null, id: string, changes: Partial<EndpointFields> & {
  enabled?: boolean; disabled_reason?: string | null; failing_since?: Date | null; secret?: string; previous_secret?: string | null; previous_secret_until?: Date | null
}) {
  return trx.updateTable('webhook_endpoints').set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id).where(ownedBy(partnerId)).returningAll().executeTakeFirst()
}

export function deleteEndpoint(trx: DbOrTrx, partnerId: string | null, id: string) {
  return trx.deleteFrom('webhook_endpoints').where('id', '=', id).where(ownedBy(partnerId)).returningAll().executeTakeFirst()
}

/**
 * The enabled endpoints that take this event type: the staff's, and the given partner's (none but
 * the staff's when null) — those that existed when it happened, not one added while it waited.
 */
export function endpointsFor(db: DbOrTrx, eventType: string, partnerIds: string[], occurredAt: Date) {
  return db.selectFrom('webhook_endpoints')
    // A suspended company's endpoints hear nothing, as its keys stop.
    .leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'webhook_endpoints.partner_id')
    .select(['webhook_endpoints.id', 'webhook_endpoints.partner_id'])
    .where('webhook_endpoints.enabled', '=', true)
    .where('webhook_endpoints.created_at', '<=', occurredAt)
    .where(sql<boolean>`${eventType} = any(webhook_endpoints.events)`)
    .where((eb) => partnerIds.length === 0 ? eb('webhook_endpoints.partner_id', 'is', null)
      : eb.or([eb('webhook_endpoints.partner_id', 'is', null), eb.and([eb('webhook_endpoints.partner_id', '=', sql<string>`any(${partnerIds}::uuid[])`), eb('partners.status', '=', 'active')])]))
    .orderBy('webhook_endpoints.created_at').execute()
}

export async function insertDelivery(trx: DbOrTrx, row: {
  endpoint_id: string; event_id: string; event_type: string; attempt: number; outcome: DeliveryOutcome
  http_status?: number | null; duration_ms?: number | null; error?: string | null; response_excerpt?: string | null
}): Promise<void> {
  await trx.insertInto('webhook_deliveries').values(row).execute()
}

/** An endpoint's delivery log, latest first. */
export function listDeliveries(db: DbOrTrx, endpointId: string, limit: number, after?: { key: string; id: string }) {
  let query = db.selectFrom('webhook_deliveries')
    .select(['id', 'event_id', 'event_type', 'attempt', 'outcome', 'http_status', 'duration_ms', 'error', 'response_excerpt', 'created_at', sql<string>`created_at::text`.as('created_key')])
    .where('endpoint_id', '=', endpointId)
  if (after) query = query.where((eb) => eb.or([eb('created_at', '<', sql<Date>`${after.key}::timestamptz`), eb.and([eb('created_at', '=', sql<Date>`${after.key}::timestamptz`), eb('id', '<', after.id)])]))
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

/** Who to tell when an endpoint is switched off: the person who registered it. */
export function personToTell(db: DbOrTrx, userId: string) {
  return db.selectFrom('users').select(['email', 'name', 'status']).where('id', '=', userId).executeTakeFirst()
}
