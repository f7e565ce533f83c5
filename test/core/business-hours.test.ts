import t from 'tap'
import { addBusinessMinutes, businessHoursBefore, businessMinutesBetween, defaultCalendar } from '../../core/lib/business-hours.ts'

const berlin = { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020, holidays: ['2026-12-25'] }
const at = (iso: string) => new Date(iso)

t.test('business time skips nights, weekends and holidays, in the calendar’s time zone and across a clock change', async (t) => {
  // Thursday 24 December, 15:00 in Berlin: two hours that day, Friday a holiday, then the weekend.
  t.equal(addBusinessMinutes(at('2026-12-24T14:00:00Z'), 240, berlin).toISOString(), '2026-12-28T10:00:00.000Z')
  t.equal(businessMinutesBetween(at('2026-12-24T14:00:00Z'), at('2026-12-28T10:00:00Z'), berlin), 240)
  t.equal(addBusinessMinutes(at('2026-12-26T14:00:00Z'), 60, berlin).toISOString(), '2026-12-28T09:00:00.000Z', 'from a Saturday: Monday’s first hour')
  t.equal(addBusinessMinutes(at('2026-12-28T06:00:00Z'), 30, berlin).toISOString(), '2026-12-28T08:30:00.000Z', 'from before opening: from the opening')
  const newYork = { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020, holidays: [] }
  t.equal(addBusinessMinutes(at('2026-03-06T21:30:00Z'), 60, newYork).toISOString(), '2026-03-09T13:30:00.000Z', 'Monday 9:30 in daylight saving time')
  t.equal(businessMinutesBetween(at('2026-12-28T10:00:00Z'), at('2026-12-24T14:00:00Z'), berlin), 0)
})

t.test('back in business time: the default calendar is Monday to Friday, 9 to 17 UTC', async (t) => {
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 13, 0), 3), new Date(Date.UTC(2026, 11, 7, 10, 0)), 'within a Monday')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 10, 0), 3), new Date(Date.UTC(2026, 11, 4, 15, 0)), 'back over the weekend to Friday')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 6, 20, 0), 8), new Date(Date.UTC(2026, 11, 4, 9, 0)), 'a Sunday counts for nothing')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 20, 0), 1), new Date(Date.UTC(2026, 11, 7, 16, 0)), 'an evening: from the close')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 7, 8, 0), 0), new Date(Date.UTC(2026, 11, 4, 17, 0)), 'before the opening: the last close')
  t.same(businessHoursBefore(Date.UTC(2026, 11, 28, 10, 0), 4, berlin), new Date(Date.UTC(2026, 11, 24, 14, 0)), 'a calendar’s holiday and time zone count going back too')
  for (const hours of [1, 5, 13, 40]) {
    const from = businessHoursBefore(Date.UTC(2026, 11, 9, 11, 30), hours)
    t.equal(businessMinutesBetween(from, new Date(Date.UTC(2026, 11, 9, 11, 30)), defaultCalendar), hours * 60, `${hours} hours back and forth agree`)
  }
})
