import t from 'tap'
import { rankPartners, type DealFacts, type EligibilityRules, type PartnerFacts, type Ranked } from '../../../modules/opportunities/scoring.ts'

const weights = { territory: 25, expertise: 20, level: 15, load: 10, winRate: 10, acceptanceRate: 5, returnRate: 5, stallRate: 5, responseTime: 3, timeToClose: 2 }
const rules: EligibilityRules = {
  requireTerritory: true, requireExpertise: true, respectCapacity: true, minLevelRank: 1,
  largeDealRevenue: 100_000, largeDealMinRank: 3, offerHours: 48, weights
}
const deal: DealFacts = { territory: 'US', expertise: ['Cloud', 'Security'], estimatedRevenue: 50_000 }

const partner = (name: string, facts: Partial<PartnerFacts>): PartnerFacts => ({
  id: name.toLowerCase(), name, levelName: 'Silver', levelRank: 2, territories: ['US'], expertise: ['Cloud'], capacity: 10,
  openCount: 0, won: 0, lost: 0, stalled: 0, offersAnswered: 0, offersAccepted: 0, returned: 0, avgResponseHours: null, avgDaysToClose: null,
  ...facts
})

/** A proven partner: every figure known. */
const alpha = partner('Alpha', {
  levelName: 'Gold', levelRank: 3, expertise: ['Cloud', 'Security'], openCount: 2, won: 3, lost: 1,
  offersAnswered: 4, offersAccepted: 4, avgResponseHours: 12, avgDaysToClose: 90
})
/** A newcomer: no track record, so its rates count as a neutral half. */
const bravo = partner('Bravo', { levelName: 'Bronze', levelRank: 1, territories: ['US', 'CA'], capacity: 5 })
const charlie = partner('Charlie', { territories: ['DE'], expertise: ['Security'] })
const delta = partner('Delta', { expertise: ['Training'] })
const echo = partner('Echo', { levelName: null, levelRank: 0 })
const foxtrot = partner('Foxtrot', { capacity: 3, openCount: 3 })
const everyone = [foxtrot, echo, delta, charlie, bravo, alpha]

const byName = (ranked: Ranked[], name: string) => ranked.find((r) => r.partner.name === name)!
const points = (r: Ranked) => Object.fromEntries(r.reasons.map((x) => [x.factor, x.points]))
const notes = (r: Ranked) => Object.fromEntries(r.reasons.map((x) => [x.factor, x.note]))

t.test('eligibility: territory, expertise, minimum level and capacity each block with a reason', async (t) => {
  const ranked = rankPartners(deal, everyone, rules)
  t.same(ranked.filter((r) => r.eligible).map((r) => r.partner.name), ['Alpha', 'Bravo'])
  t.same(byName(ranked, 'Charlie').blockers, ['Does not serve United States'])
  t.same(byName(ranked, 'Delta').blockers, ['No matching expertise'])
  t.same(byName(ranked, 'Echo').blockers, ['Level below the minimum (rank 1)'])
  t.same(byName(ranked, 'Foxtrot').blockers, ['At capacity (3 of 3 open)'])
  t.same(ranked.slice(2).map((r) => r.eligible), [false, false, false, false], 'ineligible partners come after every eligible one')
})

t.test('a large deal needs the higher level', async (t) => {
  const ranked = rankPartners({ ...deal, estimatedRevenue: 100_000 }, [alpha, bravo], rules)
  t.ok(byName(ranked, 'Alpha').eligible, 'rank 3 may take it')
  t.same(byName(ranked, 'Bravo').blockers, ['Large deals need level rank 3 or higher'])
  t.ok(rankPartners({ ...deal, estimatedRevenue: 99_999.99 }, [bravo], rules)[0]!.eligible, 'just below the threshold it is a normal deal')
})

t.test('switched-off rules no longer block, but the factors still score the mismatch', async (t) => {
  const relaxed = { ...rules, requireTerritory: false, requireExpertise: false, respectCapacity: false, minLevelRank: 0 }
  const ranked = rankPartners(deal, everyone, relaxed)
  t.ok(ranked.every((r) => r.eligible), 'everyone is eligible')
  t.equal(points(byName(ranked, 'Charlie')).territory, 0)
  t.equal(notes(byName(ranked, 'Charlie')).territory, 'Does not serve United States')
  t.equal(points(byName(ranked, 'Delta')).expertise, 0)
  t.equal(notes(byName(ranked, 'Delta')).expertise, '0 of 2 expertise areas')
  t.equal(points(byName(ranked, 'Foxtrot')).load, 0)
  t.equal(notes(byName(ranked, 'Foxtrot')).load, '3 of 3 open (100% load)')
})

t.test('the score is the weighted mean of the factors, each with its points and note', async (t) => {
  const [first, second] = rankPartners(deal, [bravo, alpha], rules)
  t.equal(first!.partner.name, 'Alpha')
  t.same(points(first!), {
    territory: 25, expertise: 20, level: 15, load: 8, winRate: 7.5, acceptanceRate: 5, returnRate: 5, stallRate: 5, responseTime: 2.3, timeToClose: 1
  })
  t.equal(first!.score, 93.8)
  t.same(notes(first!), {
    territory: 'Serves United States', expertise: '2 of 2 expertise areas (Cloud, Security)', level: 'Gold (rank 3 of 3)',
    load: '2 of 10 open (20% load)', winRate: 'Win rate 75% (3 of 4)', acceptanceRate: 'Accepts 100% of offers',
    returnRate: 'Returned 0% of accepted deals', stallRate: '0% of open deals stalled', responseTime: 'Answers offers in 12 h on average',
    timeToClose: 'Closes in 90 days on average'
  })

  t.equal(second!.partner.name, 'Bravo')
  t.same(points(second!), {
    territory: 25, expertise: 10, level: 5, load: 10, winRate: 5, acceptanceRate: 2.5, returnRate: 2.5, stallRate: 2.5, responseTime: 1.5, timeToClose: 1
  })
  t.equal(second!.score, 65)
  t.same(notes(second!), {
    territory: 'Serves United States', expertise: '1 of 2 expertise areas (Cloud)', level: 'Bronze (rank 1 of 3)',
    load: '0 of 5 open (0% load)', winRate: 'No closed deals yet', acceptanceRate: 'No offers answered yet',
    returnRate: 'No accepted offers yet', stallRate: 'No open deals', responseTime: 'No response history', timeToClose: 'No won deals yet'
  })
})

t.test('a poor track record costs points: returns, stalls and slow answers', async (t) => {
  const slow = partner('Slow', {
    levelRank: 3, expertise: ['Cloud', 'Security'], openCount: 4, stalled: 2, won: 1, lost: 3,
    offersAnswered: 5, offersAccepted: 4, returned: 2, avgResponseHours: 60, avgDaysToClose: 200
  })
  const [ranked] = rankPartners(deal, [slow], rules)
  t.same(points(ranked!), {
    territory: 25, expertise: 20, level: 15, load: 6, winRate: 2.5, acceptanceRate: 4, returnRate: 2.5, stallRate: 2.5, responseTime: 0, timeToClose: 0
  })
  t.equal(ranked!.score, 77.5)
  t.equal(notes(ranked!).returnRate, 'Returned 50% of accepted deals')
  t.equal(notes(ranked!).responseTime, 'Answers offers in 60 h on average')
})

t.test('the weights decide the order; ties go by name', async (t) => {
  const loadOnly = { ...rules, weights: { ...Object.fromEntries(Object.keys(weights).map((k) => [k, 0])), load: 10 } as typeof weights }
  const ranked = rankPartners(deal, [alpha, bravo], loadOnly)
  t.same(ranked.map((r) => [r.partner.name, r.score]), [['Bravo', 100], ['Alpha', 80]], 'the emptier partner wins when only load counts')

  const twins = rankPartners(deal, [partner('Zulu', {}), partner('Yankee', {})], { ...rules, minLevelRank: 0, requireExpertise: false })
  t.equal(twins[0]!.score, twins[1]!.score)
  t.same(twins.map((r) => r.partner.name), ['Yankee', 'Zulu'])

  const none = rankPartners(deal, [alpha], { ...rules, weights: { ...loadOnly.weights, load: 0 } })
  t.equal(none[0]!.score, 0, 'all weights at zero score nothing, without dividing by zero')
})
