/** Records a search picker lists at once; typing narrows the rest. */
export const pickerSize = 20

export interface Choice { id: string; label: string; detail: string }
/** A search picker's state: the first matches for q, whether there are more, and the chosen record. */
export interface Picker { q: string; choices: Choice[]; chosenId: string; count: number; more: boolean }

/** `found` holds up to pickerSize + 1 matches (one more tells that there are more); the chosen record stays in the list, on top when it is not among them, and is not counted as one. */
export function pickerOf(q: string, found: Choice[], chosen: Choice | null): Picker {
  const matches = found.slice(0, pickerSize)
  const choices = chosen && !matches.some((c) => c.id === chosen.id) ? [chosen, ...matches] : matches
  return { q, choices, chosenId: chosen?.id ?? '', count: matches.length, more: found.length > pickerSize }
}

export const pickerText = (q: unknown) => String(q ?? '').trim().slice(0, 100)
