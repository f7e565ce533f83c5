import { Forbidden, NotFound, Unauthenticated } from './errors.ts'

/** Channel permissions: what a partner employee may do in each area of the portal. */
export const areas = ['customers', 'opportunities', 'cases'] as const
export type Area = (typeof areas)[number]
export const scopes = ['none', 'own', 'company'] as const
export type Scope = (typeof scopes)[number]
export const actions = ['create', 'edit', 'delete'] as const
export type Action = (typeof actions)[number]

export type AreaPermission = { scope: Scope } & Record<Action, boolean>

/** A channel-permission area a feature registers: one row of the team page's access grid. */
export interface AreaDefinition {
  name: Area
  label: string
  /** What a new employee sees of the area. */
  scope: Scope
  /** The actions that apply to the area, each with whether a new employee may. */
  actions: Partial<Record<Action, boolean>>
}
export type ChannelPermissions = Record<Area, AreaPermission> & { acceptOffers: boolean }

export const defaultPermissions: ChannelPermissions = {
  customers: { scope: 'own', create: true, edit: true, delete: false },
  opportunities: { scope: 'own', create: true, edit: true, delete: false },
  cases: { scope: 'own', create: true, edit: true, delete: false },
  acceptOffers: false
}

const full: AreaPermission = { scope: 'company', create: true, edit: true, delete: true }
export const adminPermissions: ChannelPermissions = {
  customers: full, opportunities: full, cases: full, acceptOffers: true
}

/** Who is making the request, as the session check found them in the database. */
export interface Viewer {
  id: string
  email: string
  name: string
  kind: 'staff' | 'partner'
  role: 'admin' | 'member'
  partnerId: string | null
  partnerStatus: string | null
  permissions: ChannelPermissions
  sessionVersion: number
}

export interface PartnerViewer extends Viewer {
  kind: 'partner'
  partnerId: string
}

/** What a route needs; every route declares one in `config.access`. */
export type Access =
  | 'public' | 'signed-in' | 'applicant'
  | 'partner' | 'partner-admin'
  | 'staff' | 'staff-admin'

export const isStaff = (v: Viewer | null): boolean => v?.kind === 'staff'
export const isActivePartner = (v: Viewer | null): v is PartnerViewer =>
  v?.kind === 'partner' && v.partnerStatus === 'active'

/** The viewer of a route whose access rule admits only signed-in people. */
export function signedIn(request: { viewer: Viewer | null }): Viewer {
  if (!request.viewer) throw new Unauthenticated()
  return request.viewer
}

/** The viewer of a 'partner' or 'partner-admin' route: a user of an active partner. */
export function partnerViewer(request: { viewer: Viewer | null }): PartnerViewer {
  const viewer = signedIn(request)
  if (!isActivePartner(viewer)) throw new Forbidden('This page is for partners.')
  return viewer
}

export function allows(access: Access, viewer: Viewer | null): boolean {
  switch (access) {
    case 'public': return true
    case 'signed-in': return viewer !== null
    case 'applicant': return viewer?.kind === 'partner'
    case 'partner': return isActivePartner(viewer)
    case 'partner-admin': return isActivePartner(viewer) && viewer.role === 'admin'
    case 'staff': return isStaff(viewer)
    case 'staff-admin': return isStaff(viewer) && viewer?.role === 'admin'
  }
}

/** The effective permissions: a partner admin can always do everything in their company. */
export function permissionsOf(viewer: Pick<Viewer, 'role' | 'permissions'>): ChannelPermissions {
  return viewer.role === 'admin' ? adminPermissions : { ...defaultPermissions, ...viewer.permissions }
}

export function scopeOf(viewer: Viewer, area: Area): Scope {
  return permissionsOf(viewer)[area].scope
}

/** Throws unless the viewer sees the area at all; returns the scope for the repository. */
export function requireArea(viewer: Viewer, area: Area, action?: Action): Exclude<Scope, 'none'> {
  const permission = permissionsOf(viewer)[area]
  if (permission.scope === 'none') throw new NotFound()
  if (action && !permission[action]) throw new Forbidden(`Your access does not allow you to ${action} ${area}.`)
  return permission.scope
}

/** Fills in what is missing from stored permissions and drops anything unknown. */
export function normalisePermissions(input: unknown): ChannelPermissions {
  const source = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const result = { ...defaultPermissions }
  for (const area of areas) {
    const given = (source[area] ?? {}) as Record<string, unknown>
    const permission = { ...defaultPermissions[area] }
    if (scopes.includes(given.scope as Scope)) permission.scope = given.scope as Scope
    for (const action of actions) {
      if (typeof given[action] === 'boolean') permission[action] = given[action] as boolean
    }
    result[area] = permission
  }
  if (typeof source.acceptOffers === 'boolean') result.acceptOffers = source.acceptOffers
  return result
}
