import { randomInt } from 'node:crypto'
import { hashToken } from '../auth/tokens.ts'

/** No 0/o, 1/l/i: easy to read off paper. */
const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
export const recoveryCodeCount = 10

/** Ten codes like "k7m2p-xq9vd" (49 random bits each): shown once, kept only as hashes. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: recoveryCodeCount }, () => {
    const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

/** The hash a code is kept as, however it was typed (case, spaces, the dash). */
export const recoveryCodeHash = (code: string): string => hashToken(code.toLowerCase().replace(/[^a-z0-9]/g, ''))

/** Whether what was typed has the shape of a recovery code rather than a six-digit one. */
export const looksLikeRecoveryCode = (code: string): boolean => code.toLowerCase().replace(/[^a-z0-9]/g, '').length === 10
