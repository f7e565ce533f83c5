import { hash, verify } from '@node-rs/argon2'

// 2 is Algorithm.Argon2id, a const enum that verbatimModuleSyntax cannot import.
const options = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export const hashPassword = (password: string): Promise<string> => hash(password, options)

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) return false
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** Compared against when the e-mail is unknown, so a miss costs as long as a wrong password. */
export const decoyHash = await hashPassword('decoy-password-never-used')
