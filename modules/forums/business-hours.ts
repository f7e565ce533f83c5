/** Business hours: Monday to Friday, 9:00 to 17:00 UTC. */
const opens = 9
const closes = 17

const isBusinessDay = (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5

/**
 * The moment `hours` business hours before `now`: a question asked before it has waited longer
 * than that. Walks back a working day at a time, so a weekend or a night counts for nothing.
 */
export function businessHoursBefore(now: number, hours: number): Date {
  let left = hours * 3600_000
  const at = new Date(now)
  for (let guard = 0; guard < 10_000; guard++) {
    const dayStart = new Date(at)
    dayStart.setUTCHours(opens, 0, 0, 0)
    const dayEnd = new Date(at)
    dayEnd.setUTCHours(closes, 0, 0, 0)
    if (isBusinessDay(at) && at > dayStart) {
      const end = at < dayEnd ? at : dayEnd
      const available = end.getTime() - dayStart.getTime()
      if (available >= left) return new Date(end.getTime() - left)
      left -= available
    }
    at.setUTCDate(at.getUTCDate() - 1)
    at.setUTCHours(23, 59, 59, 999)
  }
  return at
}
