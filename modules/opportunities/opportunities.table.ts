import type { ColumnType, Generated, Selectable } from 'kysely'

export const stages = ['qualify', 'develop', 'propose', 'close'] as const
export type Stage = (typeof stages)[number]
export const statuses = ['queued', 'offered', 'pending_approval', 'declined', 'open', 'won', 'lost'] as const
export type OpportunityStatus = (typeof statuses)[number]
export type OfferStatus = 'pending' | 'accepted' | 'rejected' | 'expired' | 'withdrawn' | 'returned'
/** The orders of the staff's channel page. */
export const channelSorts = ['name', 'pipeline', 'won', 'win_rate', 'acceptance', 'response', 'returns'] as const
export type ChannelSort = (typeof channelSorts)[number]

type Numeric = ColumnType<string, string | number, string | number>
type TextArray = ColumnType<string[], string[] | undefined, string[]>
type Json<T> = ColumnType<T, string | undefined, string>

export interface OpportunitiesTable {
  id: Generated<string>
  number: Generated<number>
  name: string
  description: Generated<string>
  source: 'registration' | 'staff'
  status: OpportunityStatus
  stage: Generated<Stage>
  partner_id: string | null
  owner_id: string | null
  account_id: string | null
  contact_id: string | null
  customer_name: string
  customer_domain: string | null
  territory: string
  expertise: TextArray
  estimated_revenue: Numeric
  currency: string
  expected_close: ColumnType<Date, string, string>
  actual_revenue: Numeric | null
  lost_reason: string | null
  closed_at: Date | null
  distribution: Generated<'manual' | 'auto'>
  refusals: Generated<number>
  created_by: string | null
  last_activity_at: Generated<Date>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface ScoreReason {
  factor: string
  points: number
  note: string
}

export interface OpportunityOffersTable {
  id: Generated<string>
  opportunity_id: string
  partner_id: string
  status: Generated<OfferStatus>
  score: Numeric | null
  reasons: Json<ScoreReason[]>
  offered_by: string | null
  offered_at: Generated<Date>
  deadline: Date
  answered_at: Date | null
  answered_by: string | null
  reason: string | null
}

export interface OpportunityCollaboratorsTable {
  opportunity_id: string
  partner_id: string
  added_by: string | null
  added_at: Generated<Date>
}

export interface OpportunityEventsTable {
  id: Generated<string>
  opportunity_id: string
  partner_id: string | null
  staff_only: Generated<boolean>
  kind: string
  body: Generated<string>
  actor_id: string | null
  actor_name: string
  at: Generated<Date>
}

export interface Weights {
  territory: number
  expertise: number
  level: number
  load: number
  winRate: number
  acceptanceRate: number
  returnRate: number
  stallRate: number
  responseTime: number
  timeToClose: number
}

export interface DistributionRulesTable {
  id: number
  auto_distribute: boolean
  offer_hours: number
  max_refusals: number
  require_territory: boolean
  require_expertise: boolean
  respect_capacity: boolean
  min_level_rank: number
  large_deal_revenue: Numeric
  large_deal_min_rank: number
  weights: Json<Weights>
  stall_days: number
  updated_at: Generated<Date>
}

/** Deals per partner and status, kept by a trigger (migration 20261208120000); the staff queue's under a null partner. */
export interface OpportunityStatusFiguresTable {
  partner_id: string | null
  status: OpportunityStatus
  deals: number
}

/** Each partner's answers to offers, kept by a trigger: response_hours sums the hours of the `timed` answers. */
export interface OpportunityOfferFiguresTable {
  partner_id: string
  answered: number
  accepted: number
  returned: number
  timed: number
  response_hours: Numeric
}

/** Deals won per partner, currency and year (its first day, UTC), kept by a trigger (migration 20261210110000). */
export interface OpportunityWonYearsTable {
  partner_id: string
  currency: string
  year: Date
  deals: number
  revenue: Numeric
}

export type OpportunityRow = Selectable<OpportunitiesTable>
export type OfferRow = Selectable<OpportunityOffersTable>
export type EventRow = Selectable<OpportunityEventsTable>
export type RulesRow = Selectable<DistributionRulesTable>

declare module '../../core/data/database.ts' {
  interface Database {
    opportunities: OpportunitiesTable
    opportunity_offers: OpportunityOffersTable
    opportunity_collaborators: OpportunityCollaboratorsTable
    opportunity_events: OpportunityEventsTable
    distribution_rules: DistributionRulesTable
    opportunity_status_figures: OpportunityStatusFiguresTable
    opportunity_offer_figures: OpportunityOfferFiguresTable
    opportunity_won_years: OpportunityWonYearsTable
  }
}
