import type { Generated, Selectable } from 'kysely'

export interface WebhookEndpointsTable {
  id: Generated<string>
  partner_id: string | null
  created_by: string | null
  url: string
  description: Generated<string>
  events: string[]
  secret: string
  previous_secret: string | null
  previous_secret_until: Date | null
  enabled: Generated<boolean>
  disabled_reason: string | null
  failing_since: Date | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'gave-up' | 'skipped'

export interface WebhookDeliveriesTable {
  id: Generated<string>
  endpoint_id: string
  event_id: string
  event_type: string
  attempt: number
  outcome: DeliveryOutcome
  http_status: number | null
  duration_ms: number | null
  error: string | null
  response_excerpt: string | null
  created_at: Generated<Date>
}

export type EndpointRow = Selectable<WebhookEndpointsTable>
export type DeliveryRow = Selectable<WebhookDeliveriesTable>

declare module '../../core/data/database.ts' {
  interface Database {
    webhook_endpoints: WebhookEndpointsTable
    webhook_deliveries: WebhookDeliveriesTable
  }
}
