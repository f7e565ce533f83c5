import Type, { type Static } from 'typebox'
import { iso, isoOrNull, NullableString, NullableTimestamp, OneOf, Timestamp } from '../../core/api/schemas.ts'
import type { ApplicationStatus } from './partners.table.ts'

/** A partner application as the API shows it (the webhooks' payload of application events). */
export const Application = Type.Object({
  id: Type.String({ format: 'uuid' }),
  partnerId: Type.String({ format: 'uuid', description: 'The applying company (a partner once approved).' }),
  company: Type.String(),
  domain: NullableString,
  country: NullableString,
  territories: Type.Array(Type.String()),
  expertise: Type.Array(Type.String()),
  applicant: Type.Object({ name: Type.String(), email: Type.String() }),
  status: OneOf(['pending', 'approved', 'rejected']),
  possibleDuplicate: Type.Boolean({ description: 'Another partner or application has the same web domain.' }),
  rejectionReason: NullableString,
  submittedAt: Timestamp,
  decidedAt: NullableTimestamp
})

export const toApplication = (a: {
  id: string; partner_id: string; company: string; domain: string | null; country: string | null; territories: string[]; expertise: string[]
  applicant_name: string; applicant_email: string; status: ApplicationStatus; possible_duplicate: boolean; rejection_reason: string | null
  submitted_at: Date; decided_at: Date | null
}): Static<typeof Application> => ({
  id: a.id, partnerId: a.partner_id, company: a.company, domain: a.domain, country: a.country, territories: a.territories, expertise: a.expertise,
  applicant: { name: a.applicant_name, email: a.applicant_email }, status: a.status, possibleDuplicate: a.possible_duplicate,
  rejectionReason: a.rejection_reason, submittedAt: iso(a.submitted_at), decidedAt: isoOrNull(a.decided_at)
})
