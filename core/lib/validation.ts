import Type, { type Static, type TObject, type TSchema } from 'typebox'
import Value from 'typebox/value'
import { countryCodes } from './countries.ts'
import { Invalid, type FieldErrors } from './errors.ts'

/**
 * Form fields: TypeBox schemas that carry a human label and the message to show when the value
 * is wrong, so a form answers "Company name is required" rather than "must match pattern".
 */
interface FieldOptions {
  label: string
  max?: number
  min?: number
  optional?: boolean
}

const noMarkup = '^[^<>]*$'
const labelled = <T extends TSchema>(schema: T, label: string, message?: string): T =>
  Object.assign(schema, { label, ...(message ? { message } : {}) })

/** A single-line text: trimmed, required unless optional, no angle brackets. */
export function text(o: FieldOptions) {
  const min = o.optional ? 0 : Math.max(o.min ?? 1, 1)
  return labelled(Type.String({ minLength: min, maxLength: o.max ?? 200, pattern: noMarkup }), o.label)
}

/** Free text (descriptions, notes): may hold any characters; rendered escaped or sanitised. */
export function longText(o: FieldOptions) {
  const min = o.optional ? 0 : Math.max(o.min ?? 1, 1)
  return labelled(Type.String({ minLength: min, maxLength: o.max ?? 10_000 }), o.label)
}

export function email(o: Omit<FieldOptions, 'max' | 'min'> = { label: 'E-mail' }) {
  return labelled(
    Type.String({ maxLength: 254, pattern: o.optional ? '^$|^[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+$' : '^[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+$' }),
    o.label, `${o.label} must be an e-mail address like name@example.com.`)
}

/** A new password's length; the other rules need the person (core/identity/auth/password-rules.ts). */
export function password(label = 'Password') {
  return labelled(Type.String({ minLength: 12, maxLength: 128 }), label,
    `${label} must be 12 to 128 characters long.`)
}

export function choice<const T extends string[]>(values: readonly [...T], label: string) {
  return labelled(Type.Enum(values), label, `Choose one of the offered values for ${label}.`)
}

/**
 * A country code. A pattern, not an enum: TypeBox converts a value against a 250-member enum in
 * ~200 ms, which a form pays per submission and a CSV import per row.
 */
export function country(o: FieldOptions) {
  const codes = countryCodes.join('|')
  return labelled(Type.String({ pattern: o.optional ? `^$|^(${codes})$` : `^(${codes})$` }), o.label,
    `${o.label} must be one of the listed countries (in a file, its two-letter code such as US or DE).`)
}

export function url(o: FieldOptions) {
  return labelled(Type.String({ maxLength: o.max ?? 300, pattern: o.optional ? '^$|^https?://[^\\s<>]+$' : '^https?://[^\\s<>]+$' }),
    o.label, `${o.label} must be a web address starting with http:// or https://.`)
}

export function integer(o: FieldOptions) {
  return labelled(Type.Integer({ minimum: o.min ?? 0, maximum: o.max ?? 1_000_000_000 }), o.label,
    `${o.label} must be a whole number from ${o.min ?? 0} to ${o.max ?? 1_000_000_000}.`)
}

/** A money amount as typed: digits with at most two decimals, kept as a string for `numeric`. */
export function amount(o: FieldOptions) {
  return labelled(Type.String({ pattern: o.optional ? '^$|^\\d{1,12}(\\.\\d{1,2})?$' : '^\\d{1,12}(\\.\\d{1,2})?$', maxLength: 15 }), o.label,
    `${o.label} must be an amount like 25000 or 25000.50.`)
}

/** A calendar date from an <input type="date">. */
export function date(o: FieldOptions) {
  return labelled(Type.String({ pattern: o.optional ? '^$|^\\d{4}-\\d{2}-\\d{2}$' : '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10 }), o.label,
    `${o.label} must be a date (YYYY-MM-DD).`)
}

export const checkbox = (label: string) => labelled(Type.Boolean({ default: false }), label)

function messageFor(schema: Record<string, unknown>, keyword: string, params: Record<string, unknown>): string {
  const label = String(schema.label ?? 'This field')
  if (typeof schema.message === 'string') return schema.message
  switch (keyword) {
    case 'minLength': return (schema.minLength as number) <= 1 ? `${label} is required.` : `${label} must be at least ${String(params.limit)} characters.`
    case 'maxLength': return `${label} must be at most ${String(params.limit)} characters.`
    case 'pattern': return `${label} must not contain < or >.`
    case 'required': return `${label} is required.`
    default: return `${label} is not valid.`
  }
}

/** Normalises form input: trims strings, reads checkboxes, turns '' into absent for numbers. */
function prepare(schema: TObject, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(schema.properties) as Array<[string, Record<string, unknown>]>) {
    let value = input[key]
    if (Array.isArray(value) && field.type !== 'array') value = value[0]
    if (typeof value === 'string') value = value.trim()
    if (field.type === 'boolean') value = value === 'on' || value === 'true' || value === true
    if (field.type === 'array' && value !== undefined && !Array.isArray(value)) value = [value]
    if (field.type === 'array' && value === undefined) value = []
    if ((field.type === 'integer' || field.type === 'number') && value === '') value = undefined
    if (value === undefined && field.type === 'string') value = ''
    if (value !== undefined) out[key] = value
  }
  return out
}

/** Parses a submitted form against its schema, or throws Invalid with a message per field. */
export function parseForm<S extends TObject>(schema: S, input: unknown): Static<S> {
  const prepared = prepare(schema, (input ?? {}) as Record<string, unknown>)
  const value = Value.Default(schema, Value.Convert(schema, prepared))
  const fields: FieldErrors = {}
  for (const error of Value.Errors(schema, value)) {
    const key = error.instancePath.split('/')[1] ?? String((error.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? '')
    if (!key || fields[key]) continue
    const field = (schema.properties as Record<string, Record<string, unknown>>)[key] ?? {}
    fields[key] = messageFor(field, error.keyword, error.params as Record<string, unknown>)
  }
  if (Object.keys(fields).length > 0) throw new Invalid(fields)
  return value as Static<S>
}

const uuidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
const uuid = new RegExp(`^${uuidPattern}$`)

/** Whether a value from a query string or a cursor is a well-formed record id. */
export const isId = (value: unknown): value is string => typeof value === 'string' && uuid.test(value)

/** A form field naming one record by id. */
export const recordId = (label: string, message: string) => Type.String({ format: 'uuid', label, message })

/** A form field naming one record by id, or left empty. */
export const optionalRecordId = (label: string, message: string) => Type.String({ pattern: `^$|^${uuidPattern}$`, label, message })

/** Route params of one record; a malformed id answers 404 like a missing one. */
export const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export { Type }

/**
 * A form's text fields as typed, taken from a query: a picker's search without JavaScript sends the
 * whole form as a GET, and the page it comes back to shows them again. Nothing is checked here;
 * the form is when it is sent.
 */
export function typedFields(form: TObject, query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(form.properties)
    .filter((key) => typeof query[key] === 'string').map((key) => [key, query[key] as string]))
}
