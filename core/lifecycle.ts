/**
 * Where the process is in its life, for whoever answers load balancers: once a stop has begun,
 * /readyz answers 503 and responses ask clients not to keep their connection.
 */
export class Lifecycle {
  #draining = false

  get draining(): boolean {
    return this.#draining
  }

  beginDrain(): void {
    this.#draining = true
  }
}
