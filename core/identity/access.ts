import { Forbidden, Invalid, NotFound, Unauthenticated } from '../lib/errors.ts'

/**
 * The channel-permission areas by name: what a partner employee may do in each part of the portal.
 * A feature that registers an area (its `areas`) adds the name here by declaration merging, so a
 * misspelt area does not compile; the areas that apply are those the enabled features register.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ChannelAreaNames {}
export type Area = keyof ChannelAreaNames & string
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

/**
 * The yes/no permissions by name that stand beside the areas (opportunities: "may answer offers"),
 * filled by declaration merging like the areas; a name is an area's or a grant's, never both.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ChannelGrantNames {}
export type Grant = keyof ChannelGrantNames & string

/** A grant a feature registers: one checkbox under the team page's access grid. */
export interface GrantDefinition {
  name: Grant
  /** What it allows, as the checkbox says it ("May accept or reject …"). */
  label: string
  /** Whether a new employee has it. */
  default: boolean
}

/** An employee's permissions for the enabled areas and grants, each filled in from its defaults. */
export type ChannelPermissions = Record<Area, AreaPermission> & Record<Grant, boolean>

/**
 * What an employee's row holds: the choices made, per area and grant. Those of add-ons that are
 * disabled now are kept, and apply again when the add-on is enabled; a missing one takes its default.
 */
export type StoredPermissions = Partial<Record<Area, Partial<AreaPermission>>> & Partial<Record<Grant, boolean>>

const noAccess: AreaPermission = { scope: 'none', create: false, edit: false, delete: false }
const full: AreaPermission = { scope: 'company', create: true, edit: true, delete: true }
const asRecord = (value: unknown) => (value && typeof value === 'object' ? value : {}) as Record<string, unknown>

function areaPermission(area: AreaDefinition, stored: unknown): AreaPermission {
  const given = asRecord(stored)
  const permission = { ...noAccess, scope: scopes.includes(given.scope as Scope) ? given.scope as Scope : area.scope }
  for (const action of actions) {
    const byDefault = area.actions[action]
    if (byDefault !== undefined) permission[action] = typeof given[action] === 'boolean' ? given[action] as boolean : byDefault
  }
  return permission
}

/**
 * The areas and grants the enabled features register, in their order, as the team page, the
 * permission checks and the session see them. Built once per app.
 */
export class ChannelAreas {
  /** What a new employee may. */
  readonly defaults: ChannelPermissions

  constructor(readonly list: readonly AreaDefinition[], readonly grants: readonly GrantDefinition[] = []) {
    this.defaults = this.normalise({})
  }

  /** Stored permissions as they apply: each enabled area's and grant's filled in from its defaults, any other left out. */
  normalise(stored: unknown): ChannelPermissions {
    const source = asRecord(stored)
    const permissions = {} as ChannelPermissions
    for (const area of this.list) permissions[area.name] = areaPermission(area, source[area.name])
    for (const grant of this.grants) permissions[grant.name] = typeof source[grant.name] === 'boolean' ? source[grant.name] as boolean : grant.default
    return permissions
  }

  /** What a person with this role and these stored permissions may do (a partner admin: everything). */
  effective(user: { role: Viewer['role']; permissions: unknown }): ChannelPermissions {
    return permissionsOf({ role: user.role, permissions: this.normalise(user.permissions) })
  }

  /** Reads the access grid of a form (customers_scope, customers_create, …, grant_acceptOffers). */
  fromForm(body: Record<string, unknown>): ChannelPermissions {
    const errors: Record<string, string> = {}
    for (const area of this.list) {
      if (!scopes.includes(body[`${area.name}_scope`] as Scope)) errors[`${area.name}_scope`] = `Choose an access level for ${area.label.toLowerCase()}.`
    }
    if (Object.keys(errors).length) throw new Invalid(errors)
    return this.asFilledIn(body)
  }

  /** The grid as the form filled it in, unchecked (a missing scope takes the default): to show it again beside an error. */
  asFilledIn(body: Record<string, unknown>): ChannelPermissions {
    const raw: Record<string, unknown> = Object.fromEntries(this.grants.map((g) => [g.name, body[`grant_${g.name}`] === 'on']))
    for (const area of this.list) {
      raw[area.name] = { scope: body[`${area.name}_scope`], ...Object.fromEntries(actions.map((a) => [a, body[`${area.name}_${a}`] === 'on'])) }
    }
    return this.normalise(raw)
  }
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

/** A user's row as the viewer it makes, its stored permissions read for the enabled areas and grants. */
export function viewerOf(user: {
  id: string; email: string; name: string; kind: Viewer['kind']; role: Viewer['role']; partner_id: string | null
  partner_status: string | null; permissions: unknown; session_version: number
}, areas: ChannelAreas): Viewer {
  return {
    id: user.id, email: user.email, name: user.name, kind: user.kind, role: user.role, partnerId: user.partner_id,
    partnerStatus: user.partner_status, permissions: areas.normalise(user.permissions), sessionVersion: user.session_version
  }
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
  if (viewer.role !== 'admin') return viewer.permissions
  const everything: Record<string, AreaPermission | boolean> = {}
  for (const [key, value] of Object.entries(viewer.permissions)) everything[key] = typeof value === 'boolean' ? true : full
  return everything as ChannelPermissions
}

/** A viewer's permission in an area; none in an area no enabled feature registers. */
const permissionIn = (viewer: Viewer, area: Area): AreaPermission => permissionsOf(viewer)[area] ?? noAccess

export function scopeOf(viewer: Viewer, area: Area): Scope {
  return permissionIn(viewer, area).scope
}

/** Throws unless the viewer sees the area at all; returns the scope for the repository. */
export function requireArea(viewer: Viewer, area: Area, action?: Action): Exclude<Scope, 'none'> {
  const permission = permissionIn(viewer, area)
  if (permission.scope === 'none') throw new NotFound()
  if (action && !permission[action]) throw new Forbidden(`Your access does not allow you to ${action} ${area}.`)
  return permission.scope
}
