import { countries, countryName, type Country } from '../lib/countries.ts'

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => escapes[c]!)

// Formatters are built once: constructing an Intl.NumberFormat per call was 15% of a dashboard's CPU.
const numberFormat = new Intl.NumberFormat('en-US')
const moneyFormats = new Map<string, Intl.NumberFormat>()
function moneyFormat(currency: string, compact = false): Intl.NumberFormat {
  const key = compact ? `${currency} compact` : currency
  let format = moneyFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat('en-US', compact
      ? { style: 'currency', currency, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }
      : { style: 'currency', currency, maximumFractionDigits: 0 })
    moneyFormats.set(key, format)
  }
  return format
}

// Dates are shown in UTC as "24 Nov 2026" and "24 Nov 2026, 14:05 UTC". Intl names the months,
// once; assembling the rest by hand costs a tenth of an Intl.DateTimeFormat call (1–3 µs), of which
// a dashboard makes dozens.
const months = Array.from({ length: 12 }, (_, m) =>
  new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }).format(Date.UTC(2000, m, 1)))
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n))
const day = (d: Date) => `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`
const threeDigits = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n))

/**
 * What toISOString writes, assembled by hand for four-digit years: V8's own is a call into the
 * runtime costing about ten times as much (0.5 µs against 0.05), and a list page writes dozens.
 */
function isoOf(d: Date): string {
  const year = d.getUTCFullYear()
  if (!(year >= 1000 && year <= 9999)) return d.toISOString()
  return `${year}-${twoDigits(d.getUTCMonth() + 1)}-${twoDigits(d.getUTCDate())}T${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())}:` +
    `${twoDigits(d.getUTCSeconds())}.${threeDigits(d.getUTCMilliseconds())}Z`
}

/** Labels are of a few hundred statuses, kinds and stages at most, kept once made (bounded all the same). */
const labels = new Map<string, string>()
function label(value: string): string {
  let made = labels.get(value)
  if (made === undefined) {
    made = value.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase())
    if (labels.size < 1000) labels.set(value, made)
  }
  return made
}

/**
 * Countries as a select's options, the chosen ones selected, as raw HTML for `<%~`. A list of every country is
 * the largest part of a form's page: the options leave out their optional end tags (issue 18: page weight), and
 * the full list is assembled once.
 */
const optionsOf = (list: readonly Country[]) => list.map((c) => `<option value="${c.code}">${escapeHtml(c.name)}`).join('')
const everyCountry = optionsOf(countries)
function countryOptions(chosen: string | readonly string[] | null | undefined, list?: readonly Country[]): string {
  let html = list ? optionsOf(list) : everyCountry
  for (const code of [chosen ?? []].flat()) if (/^[A-Z]{2}$/.test(code)) html = html.replace(`value="${code}">`, `value="${code}" selected>`)
  return html
}

/** What URLSearchParams leaves as it is; a pair of only these is written directly, without building one (2 µs a link). */
const plain = /^[\w.*-]*$/
const queryPair = (key: string, value: string) => (plain.test(key) && plain.test(value) ? `${key}=${value}` : new URLSearchParams([[key, value]]).toString())

/** Formatting helpers available in every template as `h`. */
export const helpers = {
  date: (value: Date | string | null | undefined): string => (value ? day(new Date(value)) : '—'),
  dateTime: (value: Date | string | null | undefined): string => {
    if (!value) return '—'
    const d = new Date(value)
    return `${day(d)}, ${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())} UTC`
  },
  iso: (value: Date | string | null | undefined): string => (value ? isoOf(typeof value === 'string' ? new Date(value) : value) : ''),
  money: (amount: string | number | null | undefined, currency = 'USD'): string => {
    if (amount === null || amount === undefined || amount === '') return '—'
    return moneyFormat(currency).format(Number(amount))
  },
  /** An amount in few characters, as a chart's label: "$1.2M". */
  compactMoney: (amount: number, currency = 'USD'): string => moneyFormat(currency, true).format(amount),
  number: (value: number | string | null | undefined): string => (value === null || value === undefined ? '—' : numberFormat.format(Number(value))),
  json: (value: unknown): string => (value === null || value === undefined ? '' : JSON.stringify(value, null, 2)),
  /** A URL with the given query parameters replaced, empty ones dropped. */
  query: (base: string, params: Record<string, unknown>, changes: Record<string, unknown> = {}): string => {
    const pairs: string[] = []
    for (const [key, value] of Object.entries({ ...params, ...changes })) {
      if (value !== undefined && value !== null && value !== '') pairs.push(queryPair(key, String(value)))
    }
    return pairs.length ? `${base}?${pairs.join('&')}` : base
  },
  /** Escapes plain text and turns its http(s) links into anchors (for e-mail bodies). */
  linkify: (text: string): string =>
    escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`),
  country: countryName,
  countryOptions,
  label
}
