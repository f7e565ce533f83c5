/**
 * Business time of a working calendar: working days (ISO weekdays, 1 = Monday), hours of the day
 * (minutes after midnight) in the calendar's time zone, and holidays (local dates). Cases count
 * their service targets in the staff admins' calendar (8 business hours from a Friday afternoon end
 * on Monday); the forums count how long a question has waited in the default one.
 */
export interface Calendar {
  timeZone: string
  days: number[]
  startMinute: number
  endMinute: number
  /** Local dates, YYYY-MM-DD. */
  holidays: string[]
}

/** Monday to Friday, 9:00 to 17:00 UTC, no holidays. */
export const defaultCalendar: Calendar = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020, holidays: [] }

const minute = 60_000
const day = 86_400_000

// Making a formatter costs far more than using one (the forum queue made a few dozen per view).
const formats = new Map<string, Intl.DateTimeFormat>()
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
    })
    formats.set(timeZone, format)
  }
  return format
}

/** The wall-clock parts of an instant in a time zone. */
function localParts(at: number, timeZone: string) {
  const parts = Object.fromEntries(formatIn(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]))
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), minutes: Number(parts.hour) * 60 + Number(parts.minute) + Number(parts.second) / 60 }
}

/** The instant a local date and minute of the day fall on in a time zone. */
function instantOf(date: { y: number; m: number; d: number }, minuteOfDay: number, timeZone: string): number {
  const asUtc = Date.UTC(date.y, date.m - 1, date.d) + minuteOfDay * minute
  const local = localParts(asUtc, timeZone)
  const offset = Date.UTC(local.y, local.m - 1, local.d) + Math.round(local.minutes) * minute - asUtc
  return asUtc - offset
}

const isoDate = (date: { y: number; m: number; d: number }) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`
const weekday = (date: { y: number; m: number; d: number }) => ((new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7) + 1
const dateAfter = (date: { y: number; m: number; d: number }, days: number) => {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d) + days * day)
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() }
}

/**
 * The working windows from the local day of `from` on (or back, with `step` -1), as [start, end)
 * instants, for at most `limit` days.
 */
function* windows(from: number, calendar: Calendar, step: 1 | -1 = 1, limit = 800): Generator<[number, number]> {
  let date: { y: number; m: number; d: number } = localParts(from, calendar.timeZone)
  for (let i = 0; i < limit; i++) {
    if (calendar.days.includes(weekday(date)) && !calendar.holidays.includes(isoDate(date)) && calendar.endMinute > calendar.startMinute) {
      yield [instantOf(date, calendar.startMinute, calendar.timeZone), instantOf(date, calendar.endMinute, calendar.timeZone)]
    }
    date = dateAfter(date, step)
  }
}

/** The instant `minutes` business minutes after `from`. */
export function addBusinessMinutes(from: Date, minutes: number, calendar: Calendar): Date {
  let left = minutes * minute
  for (const [start, end] of windows(from.getTime(), calendar)) {
    const begin = Math.max(start, from.getTime())
    if (begin >= end) continue
    if (begin + left <= end) return new Date(begin + left)
    left -= end - begin
  }
  throw new Error('The working calendar has no working time in the next two years.')
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: Date, to: Date, calendar: Calendar): number {
  if (to <= from) return 0
  let total = 0
  for (const [start, end] of windows(from.getTime(), calendar)) {
    if (start >= to.getTime()) break
    total += Math.max(0, Math.min(end, to.getTime()) - Math.max(start, from.getTime()))
  }
  return Math.round(total / minute)
}

/** The instant `hours` business hours before `now`: a question asked before it has waited longer than that. */
export function businessHoursBefore(now: number, hours: number, calendar: Calendar = defaultCalendar): Date {
  let left = hours * 60 * minute
  for (const [start, end] of windows(now, calendar, -1)) {
    const finish = Math.min(end, now)
    if (finish <= start) continue
    if (finish - left >= start) return new Date(finish - left)
    left -= finish - start
  }
  throw new Error('The working calendar has no working time in the last two years.')
}
