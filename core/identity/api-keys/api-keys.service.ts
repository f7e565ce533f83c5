import { audit } from '../../data/audit/audit.service.ts'
import type { Db } from '../../data/database.ts'
import { Invalid, NotFound } from '../../lib/errors.ts'
import { timeCursor, timePage, type Page } from '../../lib/pagination.ts'
import { hashToken } from '../auth/tokens.ts'
import { actions, permissionsOf, scopes, viewerOf, type ChannelAreas, type ChannelPermissions, type Viewer } from '../access.ts'
import type { EventBus } from '../../background/events/events.ts'
import { findUsableKey, insertKey, listKeys, revokeKey, revokeKeysOf, touchKey } from './api-keys.repository.ts'
import { keyToken, newKeyToken } from './key-token.ts'
import '../users/partner-users.events.ts'


/** How long a new key works: the choices of the form. */
export const lifetimes = { '30': '30 days', '90': '90 days', '365': '1 year', never: 'No expiry' } as const
export type Lifetime = keyof typeof lifetimes

export interface IssuedKey {
  id: string
  name: string
  /** The key itself: shown once, never stored. */
  token: string
  expiresAt: Date | null
}

/** The caller of an API request, as the key makes them: the issuer, within the key's permissions. */
export interface KeyViewer extends Viewer {
  apiKey: { id: string; name: string }
}

/** The key of an API request (the API's routes run only once a key authenticated them). */
export function apiKeyOf(request: { viewer: Viewer | null }): KeyViewer['apiKey'] {
  const key = (request.viewer as Partial<KeyViewer> | null)?.apiKey
  if (!key) throw new Error('apiKeyOf called outside the API')
  return key
}

const rank = (scope: string) => scopes.indexOf(scope as (typeof scopes)[number])

/** The narrower of two permission sets, area by area and grant by grant. */
function narrower(a: ChannelPermissions, b: ChannelPermissions): ChannelPermissions {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(a)) {
    const other = (b as Record<string, unknown>)[name]
    if (typeof value === 'boolean') out[name] = value && other === true
    else {
      const o = other as typeof value | undefined
      out[name] = {
        scope: o && rank(o.scope) < rank(value.scope) ? o.scope : value.scope,
        ...Object.fromEntries(actions.map((act) => [act, value[act] && Boolean(o?.[act])]))
      }
    }
  }
  return out as ChannelPermissions
}

/**
 * API keys. A partner admin issues keys for their company, with permissions no wider than their
 * own; a staff admin issues staff keys. A key acts as its issuer, and at every call within both
 * the key's permissions and the issuer's as they are now.
 */
export class ApiKeysService {
  constructor(private readonly deps: { db: Db; areas: ChannelAreas; events: EventBus }) {
    // Removing an employee ends their keys for good: restoring them later does not bring the keys back.
    deps.events.on('partner.employee-removed', async (event, trx) => {
      await revokeKeysOf(trx, event.payload.userId, event.payload.by)
    })
  }

  /** The caller a key makes, or undefined when the key does not work (unknown, revoked, expired, idle, or its issuer stopped). */
  async authenticate(token: string): Promise<KeyViewer | undefined> {
    if (!keyToken.test(token)) return undefined
    const row = await findUsableKey(this.deps.db, hashToken(token))
    if (!row) return undefined
    if (row.use_due) await touchKey(this.deps.db, row.key_id)
    const issuer = viewerOf(row, this.deps.areas)
    const keyPermissions = this.deps.areas.normalise(row.key_permissions)
    const permissions = row.kind === 'partner' ? narrower(keyPermissions, permissionsOf(issuer)) : issuer.permissions
    // Only a key that may do everything, of a partner admin who still is one, manages the company
    // and its team: a narrower key could otherwise invite someone with more than the key has.
    const role = row.kind === 'partner' && issuer.role === 'admin' && this.isWhole(keyPermissions) ? 'admin' : 'member'
    return {
      ...issuer, name: `API key “${row.key_name}”`, role, permissions,
      apiKey: { id: row.key_id, name: row.key_name }
    }
  }

  /** Whether the permissions hold every area company-wide with each of its actions, and every grant. */
  private isWhole(permissions: ChannelPermissions): boolean {
    return this.deps.areas.list.every((area) => permissions[area.name].scope === 'company' &&
      actions.every((act) => area.actions[act] === undefined || permissions[area.name][act])) &&
      this.deps.areas.grants.every((grant) => permissions[grant.name])
  }

  /** Throws unless every area and grant of `wanted` is within `allowed`, naming the ones that are not. */
  private checkWithin(wanted: ChannelPermissions, allowed: ChannelPermissions): void {
    const errors: Record<string, string> = {}
    for (const area of this.deps.areas.list) {
      const w = wanted[area.name]
      const a = allowed[area.name]
      if (rank(w.scope) > rank(a.scope) || actions.some((act) => w[act] && !a[act])) {
        errors[`${area.name}_scope`] = `A key cannot do more in ${area.label.toLowerCase()} than you can.`
      }
    }
    for (const grant of this.deps.areas.grants) {
      if (wanted[grant.name] && !allowed[grant.name]) errors[`grant_${grant.name}`] = 'A key cannot have a permission you do not have.'
    }
    if (Object.keys(errors).length) throw new Invalid(errors)
  }

  /** Issues a key for the issuer's company (a partner admin) or for staff (a staff admin). */
  async issue(issuer: Viewer, form: { name: string; lifetime: string }, permissions: ChannelPermissions | null): Promise<IssuedKey> {
    const name = form.name.trim()
    const errors: Record<string, string> = {}
    if (!name) errors.name = 'Give the key a name that says what uses it.'
    else if (name.length > 80) errors.name = 'Keep the name to 80 characters.'
    if (!(form.lifetime in lifetimes)) errors.lifetime = 'Choose how long the key works.'
    if (Object.keys(errors).length) throw new Invalid(errors)
    if (permissions) this.checkWithin(permissions, permissionsOf(issuer))
    const { token, prefix } = newKeyToken()
    const days = form.lifetime === 'never' ? null : Number(form.lifetime)
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await insertKey(trx, {
        partnerId: issuer.partnerId, userId: issuer.id, name, prefix, tokenHash: hashToken(token),
        permissions: permissions ?? {}, expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null
      })
      await audit(trx, issuer, { action: 'api-key.issued', entity: 'api-key', entityId: row.id, partnerId: issuer.partnerId, after: { name, prefix, expires_at: row.expires_at, permissions } })
      return { id: row.id, name: row.name, token, expiresAt: row.expires_at }
    })
  }

  /** The company's keys (the staff keys for a staff viewer), newest first. */
  async list(viewer: Viewer, after: unknown, size: number): Promise<Page<Awaited<ReturnType<typeof listKeys>>[number]>> {
    const rows = await listKeys(this.deps.db, viewer.partnerId, size + 1, timeCursor(after))
    return timePage(rows, size, (row) => row.created_key)
  }

  async revoke(viewer: Viewer, keyId: string): Promise<string> {
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await revokeKey(trx, viewer.partnerId, keyId, viewer.id)
      if (!row) throw new NotFound('The key')
      await audit(trx, viewer, { action: 'api-key.revoked', entity: 'api-key', entityId: row.id, partnerId: row.partner_id, before: { name: row.name } })
      return row.name
    })
  }
}
