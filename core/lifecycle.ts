/**
 * Where the process is in its life, for whoever answers load balancers: once a stop has begun,
 * /readyz answers 503 and responses ask clients not to keep their connection. On the embedded
 * database it also counts requests in flight, so background work can give way to them.
 */
export class Lifecycle {
  #draining = false
  #inFlight = 0
  #idle: Array<() => void> = []

  get draining(): boolean {
    return this.#draining
  }

  beginDrain(): void {
    this.#draining = true
  }

  requestStarted(): void {
    this.#inFlight++
  }

  requestEnded(): void {
    if (--this.#inFlight <= 0) {
      this.#inFlight = 0
      for (const resolve of this.#idle.splice(0)) resolve()
    }
  }

  /** Resolves when no request is in flight, or after `maxWaitMs` so that steady traffic cannot starve the caller. */
  whenIdle(maxWaitMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs)
      this.#idle.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}
