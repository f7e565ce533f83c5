/**
 * Results of pure functions of a text people wrote (rendered Markdown, the links in it), by that
 * text, the least recently used going first once the texts kept pass `capacity` characters. Keyed
 * by the text itself, an edit is a new key: nothing is ever stale. A text over a hundredth of the
 * capacity is worked out each time rather than pushing out a hundred others.
 */
export class ByText<V> {
  readonly #entries = new Map<string, V>()
  #size = 0

  constructor(private readonly capacity: number) {}

  get(text: string, make: () => V): V {
    const kept = this.#entries.get(text)
    if (kept !== undefined) {
      this.#entries.delete(text)
      this.#entries.set(text, kept)
      return kept
    }
    const value = make()
    if (text.length > this.capacity / 100) return value
    this.#entries.set(text, value)
    this.#size += text.length
    for (const oldest of this.#entries.keys()) {
      if (this.#size <= this.capacity) break
      this.#entries.delete(oldest)
      this.#size -= oldest.length
    }
    return value
  }
}
