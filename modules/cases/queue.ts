import { isId } from '../../core/lib/validation.ts'
import { dealStages } from '../opportunities/index.ts'
import { caseStatuses, caseTypes, priorities, type CaseStatus, type CaseType, type Priority } from './cases.table.ts'

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
  /** The linked deal's stage. */
  dealStage?: string
}

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' => (allowed.includes(value as T) ? value as T : '')
const targets = ['breached', 'at_risk'] as const

/**
 * The queue's filters from its address (or a saved view's), as the page shows them and as the
 * repository takes them: anything not offered is ignored. "me" is whoever looks, so a shared view of
 * "my cases" is each colleague's own.
 */
export function queueFromQuery(query: Record<string, unknown>, viewerId: string) {
  const assignee = query.assignee === 'me' ? viewerId : query.assignee === 'none' || isId(query.assignee) ? query.assignee as string : ''
  const filters = {
    status: query.status === 'all' ? 'all' : pick(query.status, caseStatuses), priority: pick(query.priority, priorities), type: pick(query.type, caseTypes),
    partner: isId(query.partner) ? query.partner : '', assignee: query.assignee === 'me' ? 'me' : assignee, q: String(query.q ?? '').trim().slice(0, 100),
    sort: pick(query.sort, queueSorts) || 'activity', target: pick(query.target, targets), stage: pick(query.stage, dealStages)
  }
  const filter: QueueFilter = {
    status: filters.status && filters.status !== 'all' ? filters.status as CaseStatus : undefined, active: !filters.status,
    priority: (filters.priority || undefined) as Priority | undefined, type: (filters.type || undefined) as CaseType | undefined,
    partnerId: filters.partner || undefined, assignee: assignee || undefined, q: filters.q || undefined, target: filters.target || undefined,
    dealStage: filters.stage || undefined
  }
  return { filters, filter, sort: filters.sort as QueueSort }
}

/** The filters as an address query, only those set: what a saved view keeps. */
export function viewQueryOf(filters: Record<string, string>): string {
  return new URLSearchParams(Object.entries(filters).filter(([key, value]) => value && !(key === 'sort' && value === 'activity'))).toString()
}
