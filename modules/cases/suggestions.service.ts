import type { Cradle } from '../../core/container.ts'
import type { Suggestion } from '../../core/features/features.ts'
import { requireArea, type PartnerViewer } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { insertDeflection } from './deflections.repository.ts'

/** Suggestions a group shows at once. */
const perProvider = 5
const shortest = 3

export interface SuggestionGroup { id: string; label: string; items: Suggestion[] }

/**
 * Answers offered while a partner writes a case's subject, from whatever suggestion providers the
 * enabled features contribute (knowledge articles, answered threads): cases imports none of them.
 * Each provider reads only what the viewer may read.
 */
export class CaseSuggestions {
  constructor(private readonly cradle: Cradle) {}

  async find(viewer: PartnerViewer, subject: string): Promise<SuggestionGroup[]> {
    requireArea(viewer, 'cases')
    const text = subject.trim().slice(0, 200)
    if (text.length < shortest) return []
    const groups = await Promise.all(this.cradle.contributions.suggestions.map(async (p) =>
      ({ id: p.id, label: p.label, items: await p.find(this.cradle, viewer, text, perProvider) })))
    return groups.filter((g) => g.items.length > 0)
  }

  /** "This answered my question": recorded per provider and address; no case is opened. */
  async deflected(viewer: PartnerViewer, form: { provider: string; href: string; title: string; subject: string }): Promise<void> {
    requireArea(viewer, 'cases')
    if (!this.cradle.contributions.suggestions.some((p) => p.id === form.provider)) throw new Invalid({ provider: 'This suggestion is not offered here.' })
    if (!/^\/[^/\\]/.test(form.href)) throw new Invalid({ href: 'This suggestion’s address is not one of the portal’s.' })
    await insertDeflection(this.cradle.db, { ...form, user_id: viewer.id, partner_id: viewer.partnerId })
  }
}
