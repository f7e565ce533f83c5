/**
 * Who may read a piece of content (a knowledge article, a forum): the public, every partner,
 * the partners of a level and those above it, or chosen partner companies. Staff read everything.
 * The rule is stored with the content in three columns — `audience`, `audience_level_id` (for 'levels', the
 * lowest level that reads it), `audience_partner_ids` (for 'companies') — and read in SQL by audience.repository.ts.
 */
export const audienceKinds = ['public', 'partners', 'levels', 'companies'] as const
export type AudienceKind = (typeof audienceKinds)[number]

/**
 * The person reading: a visitor, staff, or a partner's user with the levels their company's level
 * covers (its own and every level ranked below it; audience.repository.ts's levelsCoveredBy).
 */
export type Reader =
  | { kind: 'visitor' }
  | { kind: 'staff' }
  | { kind: 'partner'; partnerId: string; levelIds: string[] }

export const visitor: Reader = { kind: 'visitor' }

/** A reader before their levels are read: a page reads those in the same round trip as its content. */
export type ReaderRef = { kind: 'visitor' } | { kind: 'staff' } | { kind: 'partner'; partnerId: string }
