import type { CaseStatus, CaseType, Priority } from './cases.table.ts'

/** The staff queue's orders and filters. */
export const queueSorts = ['activity', 'newest', 'oldest', 'priority'] as const
export type QueueSort = (typeof queueSorts)[number]

export interface QueueFilter {
  status?: CaseStatus
  /** Without a status: only the cases someone still works on. */
  active?: boolean
  priority?: Priority
  type?: CaseType
  partnerId?: string
  /** A staff id, or 'none' for the unassigned. */
  assignee?: string
  q?: string
  /** Cases past a target, or near one. */
  target?: 'breached' | 'at_risk'
}
