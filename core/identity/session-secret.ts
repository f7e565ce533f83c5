import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.ts'

/**
 * SESSION_SECRET when set; otherwise one generated on first start and kept in DATA_DIR, so a
 * laptop install keeps its sessions across restarts. Several instances must share SESSION_SECRET.
 */
export function sessionSecret(config: Config): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET
  if (config.DATA_DIR.startsWith('memory://')) return randomBytes(32).toString('hex')
  const file = path.join(config.DATA_DIR, 'session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(config.DATA_DIR, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
