import Type, { type Static } from 'typebox'
import { iso, Nullable, NullableId, NullableString, PersonRef, Timestamp } from '../../core/api/schemas.ts'
import type { AccountRow } from './customers.table.ts'

/** A customer account as the API shows it: in its answers and in the webhooks' payloads. */
export const Account = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  domain: NullableString,
  website: NullableString,
  phone: NullableString,
  address: NullableString,
  city: NullableString,
  postalCode: NullableString,
  country: Nullable(Type.String(), { description: 'ISO 3166-1 alpha-2 code.' }),
  industry: NullableString,
  owner: Nullable(PersonRef, { description: 'The partner employee who owns the account.' }),
  primaryContactId: NullableId,
  createdAt: Timestamp,
  updatedAt: Timestamp
})

export type AccountWithOwner = AccountRow & { owner_name: string | null; version?: string }

/** The API's view of an account row with its owner's name. */
export const toAccount = (a: AccountWithOwner): Static<typeof Account> => ({
  id: a.id, name: a.name, domain: a.domain, website: a.website, phone: a.phone, address: a.address, city: a.city,
  postalCode: a.postal_code, country: a.country, industry: a.industry,
  owner: a.owner_id ? { id: a.owner_id, name: a.owner_name ?? '' } : null,
  primaryContactId: a.primary_contact_id, createdAt: iso(a.created_at), updatedAt: iso(a.updated_at)
})
