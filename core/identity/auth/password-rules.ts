import { readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * Password rules after NIST SP 800-63B: length rather than composition (no "a digit and a
 * symbol"), and no password that is common, repetitive or made of the person's own name or
 * address. The lengths are checked by the form schema (`password()` in core/lib/validation.ts).
 */
const common = new Set(
  readFileSync(path.join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
    .split('\n').filter((line) => line && !line.startsWith('# '))
)

/** The letters of a text, lower-cased: "Nora.2024!" and "nora" are the same word here. */
const letters = (value: string) => value.toLowerCase().replace(/[^\p{L}]/gu, '')
const serviceWords = ['portal', 'partnerportal']

/** Why the password may not be used, or undefined when it may. */
export function passwordProblem(password: string, person: { email: string; name: string }): string | undefined {
  const lower = password.toLowerCase()
  // A common password with digits or symbols around it ("Password123!"), or twice ("qwertyqwerty"), is as easily guessed.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')
  const half = core.slice(0, core.length / 2)
  if (common.has(lower) || common.has(core) || (core === half + half && common.has(half))) {
    return 'This password is one of the most commonly used ones. Choose another, e.g. a few unrelated words.'
  }
  if (new Set(password).size < 4) return 'This password repeats too few characters. Choose another, e.g. a few unrelated words.'
  const local = person.email.split('@')[0] ?? ''
  const own = [local, person.name, person.email, ...person.name.split(/\s+/)].map(letters).filter((word) => word.length >= 3)
  const word = letters(password)
  if (lower.includes(person.email.toLowerCase()) || own.includes(word) || serviceWords.includes(word)) {
    return 'This password is made of your name or e-mail address (or the portal’s). Choose another.'
  }
  return undefined
}
