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

/** Formatting helpers available in every template as `h`. */
export const helpers = {
  date: (value: Date | string | null | undefined): string => (value ? day(new Date(value)) : '—'),
  dateTime: (value: Date | string | null | undefined): string => {
    if (!value) return '—'
    const d = new Date(value)
    return `${day(d)}, ${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())} UTC`
  },
  iso: (value: Date | string | null | undefined): string => (value ? new Date(value).toISOString() : ''),
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
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries({ ...params, ...changes })) {
      if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
    }
    const qs = search.toString()
    return qs ? `${base}?${qs}` : base
  },
  /** Escapes plain text and turns its http(s) links into anchors (for e-mail bodies). */
  linkify: (text: string): string =>
    escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`),
  country: countryName,
  countryOptions,
  label: (value: string): string => value.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase())
}
