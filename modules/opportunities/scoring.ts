import { countryName } from '../../core/lib/countries.ts'
import type { ScoreReason, Weights } from './opportunities.table.ts'

/** What the ranking knows of a partner: its profile and its track record. */
export interface PartnerFacts {
  id: string
  name: string
  levelName: string | null
  levelRank: number
  territories: string[]
  expertise: string[]
  capacity: number
  openCount: number
  won: number
  lost: number
  stalled: number
  offersAnswered: number
  offersAccepted: number
  returned: number
  avgResponseHours: number | null
  avgDaysToClose: number | null
}

export interface DealFacts {
  territory: string
  expertise: string[]
  estimatedRevenue: number
}

export interface EligibilityRules {
  requireTerritory: boolean
  requireExpertise: boolean
  respectCapacity: boolean
  minLevelRank: number
  largeDealRevenue: number
  largeDealMinRank: number
  offerHours: number
  weights: Weights
}

export interface Ranked {
  partner: PartnerFacts
  eligible: boolean
  blockers: string[]
  score: number
  reasons: ScoreReason[]
}

const pct = (n: number) => `${Math.round(n * 100)}%`
const clamp = (n: number) => Math.min(1, Math.max(0, n))

/** A rate from a track record, or a neutral 0.5 for a partner with no history yet. */
const rate = (hits: number, total: number): { value: number; known: boolean } =>
  total > 0 ? { value: hits / total, known: true } : { value: 0.5, known: false }

function blockersOf(deal: DealFacts, p: PartnerFacts, rules: EligibilityRules): string[] {
  const blockers: string[] = []
  if (rules.requireTerritory && !p.territories.includes(deal.territory)) blockers.push(`Does not serve ${countryName(deal.territory)}`)
  if (rules.requireExpertise && deal.expertise.length > 0 && !deal.expertise.some((e) => p.expertise.includes(e))) blockers.push('No matching expertise')
  if (p.levelRank < rules.minLevelRank) blockers.push(`Level below the minimum (rank ${rules.minLevelRank})`)
  if (deal.estimatedRevenue >= rules.largeDealRevenue && p.levelRank < rules.largeDealMinRank) blockers.push(`Large deals need level rank ${rules.largeDealMinRank} or higher`)
  if (rules.respectCapacity && p.openCount >= p.capacity) blockers.push(`At capacity (${p.openCount} of ${p.capacity} open)`)
  return blockers
}

function factors(deal: DealFacts, p: PartnerFacts, rules: EligibilityRules, maxRank: number): Array<[keyof Weights, number, string]> {
  const matched = deal.expertise.filter((e) => p.expertise.includes(e))
  const win = rate(p.won, p.won + p.lost)
  const acceptance = rate(p.offersAccepted, p.offersAnswered)
  const returns = rate(p.returned, p.offersAccepted)
  const stall = rate(p.stalled, p.openCount)
  const load = p.capacity > 0 ? clamp(1 - p.openCount / p.capacity) : 0
  return [
    ['territory', p.territories.includes(deal.territory) ? 1 : 0, p.territories.includes(deal.territory) ? `Serves ${countryName(deal.territory)}` : `Does not serve ${countryName(deal.territory)}`],
    ['expertise', deal.expertise.length ? matched.length / deal.expertise.length : 1, deal.expertise.length ? `${matched.length} of ${deal.expertise.length} expertise areas${matched.length ? ` (${matched.join(', ')})` : ''}` : 'No expertise asked for'],
    ['level', maxRank > 0 ? p.levelRank / maxRank : 0, `${p.levelName ?? 'No level'} (rank ${p.levelRank} of ${maxRank})`],
    ['load', load, `${p.openCount} of ${p.capacity} open (${pct(1 - load)} load)`],
    ['winRate', win.value, win.known ? `Win rate ${pct(win.value)} (${p.won} of ${p.won + p.lost})` : 'No closed deals yet'],
    ['acceptanceRate', acceptance.value, acceptance.known ? `Accepts ${pct(acceptance.value)} of offers` : 'No offers answered yet'],
    ['returnRate', 1 - returns.value, returns.known ? `Returned ${pct(returns.value)} of accepted deals` : 'No accepted offers yet'],
    ['stallRate', 1 - stall.value, stall.known ? `${pct(stall.value)} of open deals stalled` : 'No open deals'],
    ['responseTime', p.avgResponseHours === null ? 0.5 : clamp(1 - p.avgResponseHours / rules.offerHours), p.avgResponseHours === null ? 'No response history' : `Answers offers in ${Math.round(p.avgResponseHours)} h on average`],
    ['timeToClose', p.avgDaysToClose === null ? 0.5 : clamp(1 - p.avgDaysToClose / 180), p.avgDaysToClose === null ? 'No won deals yet' : `Closes in ${Math.round(p.avgDaysToClose)} days on average`]
  ]
}

/**
 * Ranks partners for a deal: eligible partners first, by a 0–100 score that is the weighted mean
 * of the factors; each factor's points and a plain-words note come with it.
 */
export function rankPartners(deal: DealFacts, partners: PartnerFacts[], rules: EligibilityRules): Ranked[] {
  const maxRank = Math.max(0, ...partners.map((p) => p.levelRank))
  const totalWeight = Object.values(rules.weights).reduce((a, b) => a + Math.max(0, b), 0) || 1
  return partners.map((partner) => {
    const reasons = factors(deal, partner, rules, maxRank).map(([factor, value, note]) => ({
      factor, note, points: Math.round((Math.max(0, rules.weights[factor]) * value * 100) / totalWeight * 10) / 10
    }))
    const blockers = blockersOf(deal, partner, rules)
    return { partner, eligible: blockers.length === 0, blockers, reasons, score: Math.round(reasons.reduce((a, r) => a + r.points, 0) * 10) / 10 }
  }).sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.score - a.score || a.partner.name.localeCompare(b.partner.name))
}
