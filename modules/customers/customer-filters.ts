import type { PartnerViewer } from '../../core/identity/access.ts'
import { countryCodes } from '../../core/lib/countries.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import type { AccountFilter, AccountSort, ContactFilter, StaffAccountFilter } from './customers.repository.ts'
import { isId } from '../../core/lib/validation.ts'

export interface AccountListQuery { q?: string; country?: string; owner?: string; sort?: string; after?: string }
export interface ContactListQuery { q?: string; after?: string }
export interface StaffListQuery { q?: string; partner?: string; after?: string }

const timestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/
const sorts: readonly AccountSort[] = ['name', 'newest']

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' =>
  (typeof value === 'string' && allowed.includes(value as T) ? value as T : '')
const searchText = (value: unknown) => String(value ?? '').trim().slice(0, 100)

/** A tampered cursor is ignored rather than sent to the database as a malformed uuid or time. */
function cursorOf(after: unknown, isTime = false) {
  const cursor = decodeCursor<{ key: string; id: string }>(after, { key: 'string', id: 'string' })
  if (!cursor || !isId(cursor.id) || (isTime && !timestamp.test(cursor.key))) return undefined
  return cursor
}

/** The account list's query as the page shows it (`filters`) and as the repository takes it. */
export function accountFilter(query: AccountListQuery, viewer: PartnerViewer, seesCompany: boolean) {
  const filters = {
    q: searchText(query.q), country: pick(query.country, countryCodes),
    owner: seesCompany ? pick(query.owner, ['mine']) : '', sort: pick(query.sort, sorts) || 'name'
  }
  const after = cursorOf(query.after, filters.sort === 'newest')
  const filter: AccountFilter = {
    search: filters.q || undefined, country: filters.country || undefined,
    ownerId: filters.owner === 'mine' ? viewer.id : undefined, sort: filters.sort, after
  }
  return { filters, filter, paged: Boolean(after) }
}

export function contactFilter(query: ContactListQuery) {
  const filters = { q: searchText(query.q) }
  const after = cursorOf(query.after)
  const filter: ContactFilter = { search: filters.q || undefined, after }
  return { filters, filter, paged: Boolean(after) }
}

export function staffFilter(query: StaffListQuery) {
  const filters = { q: searchText(query.q), partner: typeof query.partner === 'string' && isId(query.partner) ? query.partner : '' }
  const after = cursorOf(query.after)
  const filter: StaffAccountFilter = { search: filters.q || undefined, partnerId: filters.partner || undefined, after }
  return { filters, filter, paged: Boolean(after) }
}
