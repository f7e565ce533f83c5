/**
 * Who may read a piece of content (a knowledge article, later a forum): the public, every partner,
 * the partners of a level and those above it, or chosen partner companies. Staff read everything.
 * The rule is stored with the content (see audience.repository.ts for the same rule in SQL).
 */
export const audienceKinds = ['public', 'partners', 'levels', 'companies'] as const
export type AudienceKind = (typeof audienceKinds)[number]

export interface AudienceRule {
  audience: AudienceKind
  /** For 'levels': the lowest level that reads it. */
  audience_level_id: string | null
  /** For 'companies': the partners that read it. */
  audience_partner_ids: string[]
}

/**
 * The person reading: a visitor, staff, or a partner's user with the levels their company's level
 * covers (its own and every level ranked below it; audience.repository.ts's levelsCoveredBy).
 */
export type Reader =
  | { kind: 'visitor' }
  | { kind: 'staff' }
  | { kind: 'partner'; partnerId: string; levelIds: string[] }

export const visitor: Reader = { kind: 'visitor' }

export function mayRead(reader: Reader, rule: AudienceRule): boolean {
  if (reader.kind === 'staff' || rule.audience === 'public') return true
  if (reader.kind === 'visitor') return false
  switch (rule.audience) {
    case 'partners': return true
    case 'levels': return rule.audience_level_id !== null && reader.levelIds.includes(rule.audience_level_id)
    case 'companies': return rule.audience_partner_ids.includes(reader.partnerId)
  }
}
