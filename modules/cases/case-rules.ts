import { dealStages } from '../opportunities/index.ts'
import type { CaseStatus } from './cases.table.ts'

/** How long after its resolution a partner may reopen a case; later they open a follow-up linked to it. */
export const reopenDays = 14
const day = 86_400_000

export const caseNumber = (c: { number: number | string }) => `CASE-${c.number}`

export const isActive = (status: CaseStatus) => status === 'new' || status === 'open' || status === 'waiting'

/** Whether a resolved or closed case may still be reopened at `now` (else a follow-up is offered). */
export function reopenable(c: { status: CaseStatus; resolved_at: Date | null; closed_at: Date | null }, now: number): boolean {
  if (c.status !== 'resolved' && c.status !== 'closed') return false
  const since = c.resolved_at ?? c.closed_at
  return since !== null && now - since.getTime() <= reopenDays * day
}

export const rateable = (status: CaseStatus) => status === 'resolved' || status === 'closed'

/** The times a status sets: a resolution starts the reopen window, a case worked on again has neither. */
export function statusTimes(to: CaseStatus, now: Date, before: { resolved_at: Date | null }) {
  switch (to) {
    case 'resolved': return { resolved_at: now, closed_at: null }
    case 'closed': case 'cancelled': return { resolved_at: before.resolved_at, closed_at: now }
    default: return { resolved_at: null, closed_at: null }
  }
}

/** A case about this deal is raised in the queue: the deal is still open and in its last stage. */
export const raisesCase = (deal: { stage: string; status: string }) => deal.status === 'open' && deal.stage === dealStages[dealStages.length - 1]
