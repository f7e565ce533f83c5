import type { ColumnType, Generated, Selectable } from 'kysely'

export const caseTypes = ['question', 'problem', 'request', 'deal_support'] as const
export type CaseType = (typeof caseTypes)[number]
export const priorities = ['low', 'normal', 'high', 'urgent'] as const
export type Priority = (typeof priorities)[number]
export const caseStatuses = ['new', 'open', 'waiting', 'resolved', 'closed', 'cancelled'] as const
export type CaseStatus = (typeof caseStatuses)[number]
/** The statuses of a case someone still has to work on. */
export const activeStatuses: CaseStatus[] = ['new', 'open', 'waiting']
export type CaseEventKind = 'opened' | 'reply' | 'note' | 'status' | 'priority' | 'assignment' | 'attachment' | 'rating' | 'merged'

type Number = ColumnType<number, number | undefined, number>

export interface CasesTable {
  id: Generated<string>
  number: ColumnType<number, never, never>
  partner_id: string
  subject: string
  body: string
  type: CaseType
  priority: Priority
  priority_rank: ColumnType<number, never, never>
  status: Generated<CaseStatus>
  account_id: string | null
  account_name: string | null
  opportunity_id: string | null
  opportunity_name: string | null
  follow_up_of: string | null
  created_by: string | null
  assignee_id: string | null
  first_response_at: Date | null
  resolved_at: Date | null
  closed_at: Date | null
  rating: number | null
  rating_comment: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  first_response_due_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  resolution_due_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** Since when the target clock stands still: waiting on the partner, or resolved until reopened. */
  paused_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** Business minutes the case spent paused, added to its resolution target. */
  paused_minutes: Number
  at_risk_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  breached_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** The linked deal's stage, kept as the deal moves (the queue filters by it). */
  deal_stage: ColumnType<string | null, string | null | undefined, string | null>
  /** The linked deal is open in its last stage: raised in the queue while the staff admins' rule is on. */
  deal_raised: ColumnType<boolean, boolean | undefined, boolean>
  /** The case this duplicate was merged into. */
  merged_into: ColumnType<string | null, string | null | undefined, string | null>
}

export const assignmentModes = ['off', 'round_robin', 'least_open'] as const
export type AssignmentMode = (typeof assignmentModes)[number]

export interface CaseAssignmentTable {
  id: Generated<number>
  mode: AssignmentMode
  team: string[]
  last_assigned_id: string | null
  /** Cases about a deal in its last stage come first in the queue. */
  raise_last_stage: Generated<boolean>
}

export interface CaseTargetsTable {
  priority: Priority
  first_response_minutes: number
  resolution_minutes: number
}

/** A partner level's own target for a priority; null: the priority's target. */
export interface CaseLevelTargetsTable {
  level_id: string
  priority: Priority
  first_response_minutes: number | null
  resolution_minutes: number | null
}

export interface CaseCalendarTable {
  id: Generated<number>
  time_zone: string
  days: number[]
  start_minute: number
  end_minute: number
}

export interface CaseHolidaysTable {
  day: ColumnType<string, string, string>
  name: string
}

export interface CaseEventsTable {
  id: Generated<string>
  case_id: string
  kind: CaseEventKind
  internal: Generated<boolean>
  body: Generated<string>
  from_value: string | null
  to_value: string | null
  attachment_id: string | null
  actor_id: string | null
  actor_name: string
  actor_kind: 'partner' | 'staff' | 'system'
  created_at: Generated<Date>
}

export interface CaseAttachmentsTable {
  id: Generated<string>
  case_id: string
  partner_id: string
  internal: Generated<boolean>
  file_name: string
  content_type: string
  size: Number
  created_by: string | null
  created_at: Generated<Date>
}

export interface CaseFilesTable {
  attachment_id: string
  data: Buffer
}

export interface CaseDeflectionsTable {
  id: Generated<string>
  provider: string
  href: string
  title: string
  subject: string
  user_id: string | null
  partner_id: string
  created_at: Generated<Date>
}

export interface CaseCannedRepliesTable {
  id: Generated<string>
  title: string
  body: string
  /** Null: shared with every member of staff. */
  owner_id: string | null
  created_by: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface CaseViewsTable {
  id: Generated<string>
  name: string
  query: string
  owner_id: string | null
  created_by: string | null
  created_at: Generated<Date>
}

export type CaseRow = Selectable<CasesTable>
export type CaseEventRow = Selectable<CaseEventsTable>

declare module '../../core/data/database.ts' {
  interface Database {
    cases: CasesTable
    case_events: CaseEventsTable
    case_attachments: CaseAttachmentsTable
    case_files: CaseFilesTable
    case_deflections: CaseDeflectionsTable
    case_targets: CaseTargetsTable
    case_level_targets: CaseLevelTargetsTable
    case_calendar: CaseCalendarTable
    case_holidays: CaseHolidaysTable
    case_canned_replies: CaseCannedRepliesTable
    case_assignment: CaseAssignmentTable
    case_views: CaseViewsTable
  }
}
