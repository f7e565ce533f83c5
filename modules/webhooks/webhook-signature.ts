import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new signing secret: shown once, when the endpoint is created or its secret rotated. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`

const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')

/**
 * The `Portal-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, with one `v1`
 * per secret in use — two while a rotated secret's overlap lasts, so a receiver may check either.
 */
export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, body)}`)].join(',')
}

/** What a receiver does: true when one `v1` matches the secret and the time is within `toleranceSeconds` of now. */
export function verifySignature(header: string, secret: string, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string | undefined])
  const timestamp = Number(parts.find(([k]) => k === 't')?.[1])
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(hmac(secret, timestamp, body))
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected))
}
