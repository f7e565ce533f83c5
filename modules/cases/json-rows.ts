/** A row as PostgreSQL writes it in JSON (`row_to_json`, what a page loader reads), its times — the columns named `…_at` — read back as dates. */
export function withDates<T>(row: Record<string, unknown>): T {
  const dated: Record<string, unknown> = { ...row }
  for (const [key, value] of Object.entries(row)) if (key.endsWith('_at') && typeof value === 'string') dated[key] = new Date(value)
  return dated as T
}
