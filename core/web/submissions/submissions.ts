import type { FastifyRequest } from 'fastify'
import type { Db, DbOrTrx } from '../../data/database.ts'
import { BadRequest, KeyReused } from '../../lib/errors.ts'
import type { JobRunner } from '../../background/jobs/job-runner.ts'
import { isId } from '../../lib/validation.ts'
import { deleteSubmissionsOlderThan, findSubmission, insertSubmission } from './submissions.repository.ts'

/**
 * Handed to a service's create method, which records with it, in the transaction that creates the
 * record, what it created (usually its id): the key then commits with the record or not at all.
 */
export interface Submission<R = string> {
  record(trx: DbOrTrx, created: R): Promise<void>
}

/** What a submission came to: the record it created, or for a repeat only where the first one led. */
export type Saved<T> = { repeat: false; location: string; created: T } | { repeat: true; location: string }

/** The actor of the forms signed-out visitors send (the application). */
export const publicActor = 'public'

/** The flash of a repeated submission, shown on the page of what the first one created. */
export const alreadySaved = 'This was already saved — here it is.'

const pruneJob = 'submissions.prune'
const keepDays = 7
// About one submission in a hundred queues the prune: old keys go in one indexed delete on the job
// runner now and then, never in a request's transaction and with no timer of their own.
const pruneChance = 0.01

/** The form's `_submission` field, else the API's Idempotency-Key header; none: the form is sent without one. */
function submissionKey(request: Pick<FastifyRequest, 'body' | 'headers'>): string | undefined {
  const body = request.body as Record<string, unknown> | null | undefined
  const key = body?._submission ?? request.headers['idempotency-key']
  if (key === undefined) return undefined
  if (!isId(key)) throw new BadRequest('This form is damaged or out of date. Reload the page and try again.')
  return key.toLowerCase()
}


/** One-time submission keys: a form that creates, sent twice, creates once. */
export class SubmissionsService {
  constructor(private readonly deps: { db: Db; jobs: JobRunner }) {
    deps.jobs.register(pruneJob, (_payload, trx) => deleteSubmissionsOlderThan(trx, keepDays))
  }

  /**
   * Runs the work of a form that creates once per key of the actor (a user id, or publicActor):
   * a key seen before answers where its first submission led, without running the work. The work
   * passes the submission to the service, whose `record` stores the key with the location (`at`,
   * or `at` of what was created) in the service's transaction. Of two concurrent submissions of
   * one key, the second runs into the first's key on insert (or into the first's change), so its
   * transaction rolls back whole and it answers as a repeat. Without a key the work runs as it always did.
   */
  async once<T, R = string>(request: Pick<FastifyRequest, 'body' | 'headers'>, actor: string,
    work: (submission: Submission<R>) => Promise<T>, at: string | ((created: R) => string), fingerprint: string | null = null): Promise<Saved<T>> {
    const key = submissionKey(request)
    const repeat = (earlier: { location: string; fingerprint: string | null }): Saved<T> => {
      if (earlier.fingerprint !== fingerprint) throw new KeyReused()
      return { repeat: true, location: earlier.location }
    }
    const earlier = key ? await findSubmission(this.deps.db, actor, key) : undefined
    if (earlier) return repeat(earlier)
    let location: string | undefined
    const submission: Submission<R> = {
      record: async (trx, created) => {
        location = typeof at === 'string' ? at : at(created)
        if (!key) return
        await insertSubmission(trx, { actor, key, location, fingerprint })
        if (Math.random() < pruneChance) await this.deps.jobs.enqueue(trx, pruneJob)
      }
    }
    try {
      const created = await work(submission)
      if (location === undefined) throw new Error('A submission’s work finished without recording what it created.')
      return { repeat: false, location, created }
    } catch (err) {
      // The first of two concurrent submissions may have committed while this one waited for it: a
      // key taken on insert, or a check that the first one's change now fails (an offered deal is
      // no longer queued). Either way a key recorded by now makes this a repeat.
      if (!key) throw err
      const first = await findSubmission(this.deps.db, actor, key)
      if (!first) throw err
      return repeat(first)
    }
  }
}
