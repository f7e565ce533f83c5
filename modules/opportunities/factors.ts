import type { Weights } from './opportunities.table.ts'

/** The scoring factors in the words staff read on the ranking, the offers and the rules page. */
export const factors: ReadonlyArray<{ key: keyof Weights; label: string; hint: string }> = [
  { key: 'territory', label: 'Territory', hint: 'Full points when the partner serves the deal’s country.' },
  { key: 'expertise', label: 'Expertise', hint: 'The share of the deal’s products and expertise the partner has.' },
  { key: 'level', label: 'Level', hint: 'The partner’s level rank against the highest rank among the candidates.' },
  { key: 'load', label: 'Open load vs capacity', hint: 'Free capacity: a partner with no open deals gets full points, one at capacity none.' },
  { key: 'winRate', label: 'Win rate', hint: 'Deals won out of deals closed.' },
  { key: 'acceptanceRate', label: 'Acceptance rate', hint: 'Offers accepted out of offers answered or left to expire.' },
  { key: 'returnRate', label: 'Return rate', hint: 'Fewer points the more accepted deals the partner gave back.' },
  { key: 'stallRate', label: 'Stall rate', hint: 'Fewer points the more of its open deals have not changed for the stall period.' },
  { key: 'responseTime', label: 'Response time', hint: 'How quickly the partner answers offers, against the hours allowed.' },
  { key: 'timeToClose', label: 'Time to close', hint: 'How quickly won deals closed: full points at once, none at 180 days or more.' }
]

export const factorLabel = (key: string): string => factors.find((f) => f.key === key)?.label ?? key
