/**
 * Values kept in memory under a version that the database raises with every change they depend on
 * (in the changing transaction): a value is used only while its version is still the current one,
 * so a change shows on the very next request, on every instance. The least recently used go first.
 */
export class VersionedCache<V> {
  readonly #entries = new Map<string, { version: string; value: V }>()

  constructor(private readonly size: number) {}

  get(key: string, version: string): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    this.#entries.delete(key)
    if (entry.version !== version) return undefined
    this.#entries.set(key, entry)
    return entry.value
  }

  set(key: string, version: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, { version, value })
    if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value!)
  }
}
