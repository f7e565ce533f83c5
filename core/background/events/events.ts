import { randomUUID } from 'node:crypto'
import type { DbOrTrx } from '../../data/database.ts'
import type { JobRunner } from '../jobs/job-runner.ts'

/**
 * Every event and what it carries. A module declares its events by declaration merging, beside the
 * service that emits them, so a handler of another module gets a typed payload.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {}

export type EventName = keyof DomainEvents & string

export interface DomainEvent<N extends EventName = EventName> {
  id: string
  name: N
  /** The record the event is about: a subscriber receives one record's events in the order they happened. */
  subject: string
  payload: DomainEvents[N]
  occurredAt: string
}

/**
 * Runs inside the emitting transaction, before it commits: it may add to the change, or refuse it by
 * returning the reason (every refusal is collected, and the change rolls back). A handler that
 * refuses changes nothing, so a caller may catch the refusal and go on with the rest of its work.
 */
export type EventHandler<N extends EventName> = (event: DomainEvent<N>, trx: DbOrTrx) => Promise<string | null | undefined | void>

/**
 * Runs after the emitting transaction commits, as a job: at least once, in order per subject,
 * retried with back-off and, after the last attempt, left failed with its error for staff to see.
 * An event whose transaction rolled back is never delivered.
 */
export type EventSubscriber<N extends EventName> = (event: DomainEvent<N>, trx: DbOrTrx) => Promise<void>

/**
 * Asked inside the emitting transaction whether a subscriber wants this event at all (webhooks: is
 * there an endpoint for it?), so that no delivery job is queued for nobody.
 */
export type EventWanted<N extends EventName> = (event: DomainEvent<N>, trx: DbOrTrx) => Promise<boolean>

export class EventRefused extends Error {
  constructor(readonly event: EventName, readonly reasons: string[]) {
    super(`${event} was refused: ${reasons.join('; ')}`)
  }
}

/** The job kind that delivers one event to one subscriber. */
export const deliveryKind = (subscriber: string, event: EventName) => `event:${subscriber}:${event}`

type AnyHandler = (event: DomainEvent, trx: DbOrTrx) => Promise<string | null | undefined | void>

export class EventBus {
  readonly #handlers = new Map<string, AnyHandler[]>()
  readonly #subscribers = new Map<string, Array<{ name: string; wanted?: EventWanted<EventName> }>>()

  constructor(private readonly deps: { jobs: JobRunner }) {}

  on<N extends EventName>(name: N, handler: EventHandler<N>): void {
    this.#handlers.set(name, [...this.#handlers.get(name) ?? [], handler as unknown as AnyHandler])
  }

  /**
   * `subscriber` names the receiver (e.g. "webhooks"); it keys the order of its deliveries and their jobs.
   * With `wanted`, an event it answers false for is not queued for this subscriber.
   */
  subscribe<N extends EventName>(name: N, subscriber: string, deliver: EventSubscriber<N>, wanted?: EventWanted<N>): void {
    const subscribers = this.#subscribers.get(name) ?? []
    if (subscribers.some((s) => s.name === subscriber)) throw new Error(`${subscriber} already subscribes to ${name}`)
    this.#subscribers.set(name, [...subscribers, { name: subscriber, wanted: wanted as unknown as EventWanted<EventName> | undefined }])
    this.deps.jobs.register(deliveryKind(subscriber, name), (payload, trx) => deliver(payload as unknown as DomainEvent<N>, trx))
  }

  /** Emits inside the transaction of the change: handlers run now, deliveries are queued with it. */
  async emit<N extends EventName>(trx: DbOrTrx, name: N, subject: string, payload: DomainEvents[N]): Promise<void> {
    if (!trx.isTransaction) throw new Error(`${name} must be emitted inside the transaction of the change`)
    const event: DomainEvent<N> = { id: randomUUID(), name, subject, payload, occurredAt: new Date().toISOString() }
    const refusals: string[] = []
    for (const handler of this.#handlers.get(name) ?? []) {
      const refusal = await handler(event as unknown as DomainEvent, trx)
      if (refusal) refusals.push(refusal)
    }
    if (refusals.length) throw new EventRefused(name, refusals)
    for (const { name: subscriber, wanted } of this.#subscribers.get(name) ?? []) {
      if (wanted && !await wanted(event as unknown as DomainEvent, trx)) continue
      await this.deps.jobs.enqueue(trx, deliveryKind(subscriber, name), { ...event }, undefined, { orderingKey: `${subscriber}:${subject}` })
    }
  }
}
