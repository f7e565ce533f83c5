import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { priorities, type Priority } from './cases.table.ts'
import type { Settings, TargetsForm } from './targets.service.ts'

type Level = { id: string; name: string }
/** A level's field for a kind of target and a priority, like `first_high_<level id>`. */
export const levelField = (kind: 'first' | 'resolution', priority: Priority, levelId: string) => `${kind}_${priority}_${levelId}`

export const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const

const hoursText = (minutes: number) => String(Math.round((minutes / 60) * 100) / 100)
const timeText = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** The settings as the form shows them: hours, times of day, one holiday a line. */
export function targetsFormValues(s: Settings): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {
    time_zone: s.calendar.time_zone, days: s.calendar.days.map(String), start: timeText(s.calendar.start_minute), end: timeText(s.calendar.end_minute),
    holidays: s.holidays.map((h) => `${h.day}${h.name ? ` ${h.name}` : ''}`).join('\n')
  }
  for (const t of s.targets) {
    values[`first_${t.priority}`] = hoursText(t.first_response_minutes)
    values[`resolution_${t.priority}`] = hoursText(t.resolution_minutes)
  }
  for (const t of s.levelTargets) {
    if (t.first_response_minutes !== null) values[levelField('first', t.priority, t.level_id)] = hoursText(t.first_response_minutes)
    if (t.resolution_minutes !== null) values[levelField('resolution', t.priority, t.level_id)] = hoursText(t.resolution_minutes)
  }
  return values
}

const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone.length > 0
  } catch {
    return false
  }
}
const minutesOf = (text: unknown) => {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(String(text ?? '').trim()) ?? (String(text ?? '').trim() === '24:00' ? ['', '24', '00'] : null)
  return match ? Number(match[1]) * 60 + Number(match[2]) : null
}

/** Reads the targets form (a level's empty fields keep the priority's targets), or throws Invalid with a message per field and changes nothing. */
export function parseTargetsForm(body: Record<string, unknown>, levels: Level[]): TargetsForm {
  const errors: FieldErrors = {}
  const hours = (name: string, label: string) => {
    const text = String(body[name] ?? '').trim()
    const value = Number(text)
    if (!/^\d{1,4}(\.\d{1,2})?$/.test(text) || value <= 0 || value > 5000) {
      errors[name] = `${label} must be a number of hours above 0, like 4 or 1.5.`
      return 0
    }
    return Math.round(value * 60)
  }
  const optionalHours = (name: string, label: string) => (String(body[name] ?? '').trim() === '' ? null : hours(name, label))
  const levelTargets = levels.flatMap((level) => priorities.map((priority: Priority) => ({
    level_id: level.id,
    priority,
    first_response_minutes: optionalHours(levelField('first', priority, level.id), `First response (${priority}, ${level.name})`),
    resolution_minutes: optionalHours(levelField('resolution', priority, level.id), `Resolution (${priority}, ${level.name})`)
  }))).filter((t) => t.first_response_minutes !== null || t.resolution_minutes !== null)
  const targets = priorities.map((priority: Priority) => ({
    priority,
    first_response_minutes: hours(`first_${priority}`, `First response (${priority})`),
    resolution_minutes: hours(`resolution_${priority}`, `Resolution (${priority})`)
  }))
  const timeZone = String(body.time_zone ?? '').trim()
  if (!validZone(timeZone)) errors.time_zone = 'Time zone must be one like Europe/Berlin or America/New_York.'
  const days = [body.days ?? []].flat().map(Number).filter((d) => Number.isInteger(d) && d >= 1 && d <= 7)
  if (days.length === 0) errors.days = 'Choose at least one working day.'
  const start = minutesOf(body.start)
  const end = minutesOf(body.end)
  if (start === null) errors.start = 'Start must be a time like 09:00.'
  if (end === null) errors.end = 'End must be a time like 17:00.'
  else if (start !== null && end <= start) errors.end = 'End must be after the start.'
  const holidays: Array<{ day: string; name: string }> = []
  for (const line of String(body.holidays ?? '').split('\n').map((l) => l.trim()).filter(Boolean)) {
    const match = /^(\d{4}-\d{2}-\d{2})\s*(.*)$/.exec(line)
    if (!match || Number.isNaN(new Date(`${match[1]}T00:00:00Z`).getTime()) || new Date(`${match[1]}T00:00:00Z`).toISOString().slice(0, 10) !== match[1]) {
      errors.holidays = `“${line.slice(0, 40)}” is not a date like 2026-12-25 followed by an optional name.`
      break
    }
    if (!holidays.some((h) => h.day === match[1])) holidays.push({ day: match[1]!, name: match[2]!.slice(0, 100) })
  }
  if (Object.keys(errors).length) throw new Invalid(errors)
  return { targets, levelTargets, calendar: { time_zone: timeZone, days: [...new Set(days)].sort(), start_minute: start!, end_minute: end! }, holidays }
}
