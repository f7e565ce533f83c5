/** Records a search picker lists at once; typing narrows the rest. */
export const pickerSize = 20

export interface Choice { id: string; label: string; detail: string }
/** A search picker's state: the first matches for q, whether there are more, and the chosen record (or records, for a picker of several). */
export interface Picker { q: string; choices: Choice[]; chosenId: string; chosenIds: string[]; count: number; more: boolean }

/** `found` holds up to pickerSize + 1 matches (one more tells that there are more); the chosen record stays in the list, on top when it is not among them, and is not counted as one. */
export function pickerOf(q: string, found: Choice[], chosen: Choice | null): Picker {
  const matches = found.slice(0, pickerSize)
  const choices = chosen && !matches.some((c) => c.id === chosen.id) ? [chosen, ...matches] : matches
  return { q, choices, chosenId: chosen?.id ?? '', chosenIds: chosen ? [chosen.id] : [], count: matches.length, more: found.length > pickerSize }
}

/** A picker of several records: those chosen first, all of them, then the first matches not among them (`found`: up to pickerSize + 1 of those). */
export function pickerOfMany(q: string, found: Choice[], chosen: Choice[]): Picker {
  const matches = found.slice(0, pickerSize)
  return { q, choices: [...chosen, ...matches], chosenId: '', chosenIds: chosen.map((c) => c.id), count: matches.length, more: found.length > pickerSize }
}

export const pickerText = (q: unknown) => String(q ?? '').trim().slice(0, 100)
