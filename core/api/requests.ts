import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { PreconditionFailed } from '../lib/errors.ts'

/** A record's version as a strong ETag (opaque to the client). */
export const etagOf = (version: string): string => `"${Buffer.from(version).toString('base64url')}"`

/**
 * The version an update's If-Match asks for: undefined without the header or with `*` (any
 * version), else the version the ETag names. An ETag that names no version can match none: 412.
 */
export function ifMatchVersion(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers['if-match']?.trim()
  if (!header || header === '*') return undefined
  const tag = /^"([A-Za-z0-9_-]+)"$/.exec(header)?.[1]
  if (!tag) throw new PreconditionFailed('If-Match must be an ETag this API gave, in double quotes.')
  return Buffer.from(tag, 'base64url').toString('utf8')
}

/** What a create asked for (its address and body), to tell a retry from another request under one Idempotency-Key. */
export const fingerprintOf = (request: Pick<FastifyRequest, 'method' | 'url' | 'body'>): string =>
  createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex')
