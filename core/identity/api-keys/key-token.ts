import { randomBytes } from 'node:crypto'

/** What a key looks like: "pp_" and 43 characters of base64url (256 random bits). */
export const keyToken = /^pp_[A-Za-z0-9_-]{43}$/

/** A new key, and the first characters that name it in lists. */
export function newKeyToken(): { token: string; prefix: string } {
  const token = `pp_${randomBytes(32).toString('base64url')}`
  return { token, prefix: token.slice(0, 10) }
}
