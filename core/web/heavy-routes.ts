import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Busy } from '../lib/errors.ts'

/**
 * Lets at most `limit` holders in at once; up to `queue` more wait their turn for `waitMs`, and
 * anyone beyond is turned away at once.
 */
export class Gate {
  #inside = 0
  #waiting: Array<() => void> = []

  constructor(readonly limit: number, readonly queue: number, readonly waitMs: number) {}

  get inside(): number {
    return this.#inside
  }

  /** Whether every place is taken and the queue too: the next to come would be turned away. */
  get full(): boolean {
    return this.#inside >= this.limit && this.#waiting.length >= this.queue
  }

  /** Resolves true once in, false when the queue is full or the wait runs out. */
  enter(): Promise<boolean> {
    if (this.#inside < this.limit) {
      this.#inside++
      return Promise.resolve(true)
    }
    if (this.#waiting.length >= this.queue) return Promise.resolve(false)
    return new Promise((resolve) => {
      const admit = () => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(admit), 1)
        resolve(false)
      }, this.waitMs)
      this.#waiting.push(admit)
    })
  }

  /** The place is handed straight to the first in the queue, so nobody overtakes it. */
  leave(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#inside--
  }
}

/**
 * Routes marked `config: { heavy: true }` (reports over every partner's data) share a few places
 * per instance, so a burst of them cannot take every database connection from the other pages; a
 * route heavy only for some requests (a list whose indexes serve every filter but a text search)
 * names them with a function. This plugin is registered before the session's. The
 * place is held for as long as the handler runs — its queries included, even when the client has
 * gone away meanwhile — and given back however the handler ends.
 */
export default fp<{ limit: number; waitSeconds: number; refusalDelayMs: number }>(async (app, { limit, waitSeconds, refusalDelayMs }) => {
  const gate = new Gate(limit, limit * 4, waitSeconds * 1000)
  const isHeavy = (request: FastifyRequest) => {
    const heavy = request.routeOptions.config?.heavy
    return typeof heavy === 'function' ? heavy(request) : heavy === true
  }
  // A refusal answered at once is asked again at once by a client that retries (a script, a load
  // test): hundreds a second, each rendered, take the event loop from every other page. Held back
  // on a timer, each such client costs next to nothing until its 503.
  const turnAway = async (reply: FastifyReply): Promise<never> => {
    await new Promise((resolve) => setTimeout(resolve, refusalDelayMs))
    reply.header('retry-after', '5')
    throw new Busy()
  }
  // Registered before the session: a request the gate would turn away is answered before its session
  // is read, so a burst of refusals takes no database connection from the other pages.
  app.addHook('onRequest', async (request, reply) => {
    if (gate.full && isHeavy(request)) await turnAway(reply)
  })
  app.addHook('onRoute', (route) => {
    if (!route.config?.heavy) return
    const handler = route.handler
    route.handler = async function (this: FastifyInstance, request, reply) {
      if (!isHeavy(request)) return handler.call(this, request, reply)
      if (gate.full) return turnAway(reply)
      if (!await gate.enter()) {
        reply.header('retry-after', '5')
        throw new Busy()
      }
      try {
        return await handler.call(this, request, reply)
      } finally {
        gate.leave()
      }
    }
  })
}, { name: 'heavy-routes' })

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A report over every partner's data: it waits for one of the instance's few places for such pages (a function: for the requests it picks). */
    heavy?: boolean | ((request: FastifyRequest) => boolean)
  }
}
