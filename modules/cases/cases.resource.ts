import Type, { type Static } from 'typebox'
import { iso, isoOrNull, Nullable, NullableString, NullableTimestamp, OneOf, PersonRef, Timestamp } from '../../core/api/schemas.ts'
import { caseNumber } from './case-rules.ts'
import { caseStatuses, caseTypes, priorities, type CaseEventRow, type CaseRow } from './cases.table.ts'

const Ref = Type.Object({ id: Nullable(Type.String({ format: 'uuid' }), { description: 'Null once the record was removed.' }), name: Type.String() })

/** A case as the API shows it: in its answers and in the webhooks' payloads. Nothing internal is in it. */
export const Case = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String({ description: 'The readable number, like CASE-1042.' }),
  subject: Type.String(),
  description: Type.String({ description: 'Markdown.' }),
  type: OneOf(caseTypes),
  priority: OneOf(priorities),
  status: OneOf(caseStatuses),
  account: Nullable(Ref, { description: 'The customer account the case is about.' }),
  opportunity: Nullable(Ref, { description: 'The opportunity the case is about.' }),
  openedBy: Nullable(PersonRef),
  firstResponseDueAt: NullableTimestamp,
  firstResponseAt: NullableTimestamp,
  resolutionDueAt: NullableTimestamp,
  resolvedAt: NullableTimestamp,
  closedAt: NullableTimestamp,
  rating: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  ratingComment: NullableString,
  createdAt: Timestamp,
  updatedAt: Timestamp
})

type Row = CaseRow & { creator_name?: string | null }

export const toCase = (c: Row): Static<typeof Case> => ({
  id: c.id, number: caseNumber(c), subject: c.subject, description: c.body, type: c.type, priority: c.priority, status: c.status,
  account: c.account_name ? { id: c.account_id, name: c.account_name } : null,
  opportunity: c.opportunity_name ? { id: c.opportunity_id, name: c.opportunity_name } : null,
  openedBy: c.created_by ? { id: c.created_by, name: c.creator_name ?? '' } : null,
  firstResponseDueAt: isoOrNull(c.first_response_due_at), firstResponseAt: isoOrNull(c.first_response_at), resolutionDueAt: isoOrNull(c.resolution_due_at),
  resolvedAt: isoOrNull(c.resolved_at), closedAt: isoOrNull(c.closed_at), rating: c.rating, ratingComment: c.rating_comment,
  createdAt: iso(c.created_at), updatedAt: iso(c.updated_at)
})

/** A reply on a case: public ones for partner keys; staff keys also read internal notes, marked. */
export const Reply = Type.Object({
  id: Type.String({ format: 'uuid' }),
  author: Type.Object({ name: Type.String(), side: OneOf(['partner', 'staff', 'system']) }),
  body: Type.String({ description: 'Markdown.' }),
  internal: Type.Boolean({ description: 'An internal note: only ever shown to staff keys.' }),
  createdAt: Timestamp
})

export const toReply = (e: CaseEventRow): Static<typeof Reply> => ({
  id: e.id, author: { name: e.actor_name, side: e.actor_kind }, body: e.body, internal: e.internal, createdAt: iso(e.created_at)
})

/** What a case.replied webhook carries: the case, and the public reply. */
export const CaseReplied = Type.Object({ case: Case, reply: Reply })
