import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FastifyPluginAsync } from 'fastify'
import type { TObject, TSchema } from 'typebox'
import type { DbOrTrx } from '../data/database.ts'
import type { DomainEvent, EventName } from '../background/events/events.ts'
import type { Access, Area, AreaDefinition, GrantDefinition, Viewer } from '../identity/access.ts'
import type { AppContainer, Cradle } from '../container.ts'
import type { PageLoader } from '../web/page-loader.ts'
import type { Contributions } from './contributions.ts'

/** The signed-in audiences, each with its own navigation and dashboard. */
export type Audience = 'partner' | 'staff'

export interface NavEntry {
  /** 'public': shown to visitors who are not signed in. */
  audience: Audience | 'public'
  label: string
  href: string
  order?: number
  /** Shown only to viewers the access rule allows (default: the whole audience). */
  access?: Access
  /** Hidden from partner employees whose channel permission for the area is "none". */
  area?: Area
  /** Listed in this menu of the main navigation (e.g. "Settings") rather than beside the others. */
  menu?: string
}

export interface WidgetContext {
  viewer: Viewer
  cradle: Cradle
  render(template: string, data?: Record<string, unknown>): string
  /** Reads the page's values together, in one round trip; widgets asking for the same key share it. */
  load: PageLoader
}

export interface Widget {
  audience: Audience
  id: string
  title: string
  order?: number
  access?: Access
  area?: Area
  render(ctx: WidgetContext): Promise<string>
}

/**
 * The record pages other features may add panels to: slot name → the record the page passes its
 * panels. The module that owns the page adds its slot here by declaration merging, next to the
 * `panelSlots` of its feature.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface PanelSlots {}
export type PanelSlot = keyof PanelSlots & string

/**
 * A later module's contribution to an earlier module's record page (a customer account's
 * opportunities and cases), so the earlier module never imports the later one.
 */
export interface Panel<S extends PanelSlot = PanelSlot> {
  /** The page it appears on, as the module that owns the page declares it, e.g. 'customer-account'. */
  slot: S
  id: string
  title: string
  order?: number
  area?: Area
  render(ctx: WidgetContext, record: PanelSlots[S]): Promise<string>
}

/** One thing a reader might read instead of asking: an article, an answered thread. */
export interface Suggestion {
  title: string
  href: string
  /** Safe HTML: a highlighted excerpt. */
  snippet: string
}

/**
 * Answers a feature offers for a question being written (a case's subject), so the feature asking
 * (cases) imports none of those answering (knowledge, forums) and works before they exist. Each
 * provider reads only what the viewer may read.
 */
export interface SuggestionProvider {
  /** Stable id recorded with a deflection, e.g. 'knowledge'. */
  id: string
  /** The group's heading: "Knowledge articles". */
  label: string
  order?: number
  find(cradle: Cradle, viewer: Viewer, text: string, limit: number): Promise<Suggestion[]>
}

/** One kind of event a feature sends to webhook endpoints, e.g. 'case.created'. */
export interface WebhookType {
  label: string
  /** What the event's `data` holds (the API's own schema of the resource), for the OpenAPI document. */
  data: TSchema
  /** Only staff endpoints may take it. */
  staffOnly: boolean
}

/** How one domain event becomes a webhook event of the feature's own types. */
export interface WebhookSource<N extends EventName = EventName> {
  type: string
  /** The partners whose endpoints also get it — none, one, or every partner who may read it; staff endpoints get every event. */
  partnersOf(cradle: Cradle, event: DomainEvent<N>, db: DbOrTrx): Promise<string[]>
  /** The resource as the API shows it to that partner (null: to staff); null when it is gone or not theirs to see (nothing is sent). */
  data(cradle: Cradle, event: DomainEvent<N>, partnerId: string | null, db: DbOrTrx): Promise<unknown>
}

/** Which domain event becomes which webhook event. */
export type WebhookSources = { [N in EventName]?: WebhookSource<N> }

/** Static files of a feature's own, served under /assets/<feature>/ with hashed, year-long cached URLs. */
export interface FeatureAssets {
  dir: string
  /** Files of `dir` the layout links on every page. */
  stylesheets?: string[]
  scripts?: string[]
}

export interface DemoAccount {
  role: string
  email: string
  password: string
}

/** The one contract every core module and add-on exports from its index.ts. */
export interface Feature {
  name: string
  dependsOn?: string[]
  /** Container registrations: the feature's public services. */
  register?(container: AppContainer): void
  /** Encapsulated routes (never wrapped in fastify-plugin). */
  routes?: FastifyPluginAsync
  /**
   * Its JSON API routes, mounted under /api/v1 and called with an API key: each states its access
   * like a page and declares TypeBox schemas for params, query, body and responses (core/api/api.ts).
   */
  api?: FastifyPluginAsync
  /** What it sends out to other systems: OpenAPI 3.1 `webhooks` entries (path items) by event name, for the API's document. */
  apiWebhooks?(contributions: Contributions): Record<string, Record<string, unknown>>
  /** The webhook events it offers endpoints, by name, and the domain events they come from; the webhooks feature sends them. */
  webhookTypes?: Record<string, WebhookType>
  webhookSources?: WebhookSources
  nav?: NavEntry[]
  widgets?: Widget[]
  /** Answers it offers while someone writes a question elsewhere (a case's subject). */
  suggestions?: SuggestionProvider[]
  /** The slots of this feature's record pages that other features may add panels to. */
  panelSlots?: PanelSlot[]
  panels?: Panel[]
  /** Channel-permission areas: rows of the team page's access grid, checked by requireArea. */
  areas?: AreaDefinition[]
  /** Yes/no permissions beside the areas: checkboxes under the access grid, checked by permissionsOf(viewer)[name]. */
  grants?: GrantDefinition[]
  /** Its own config variables, merged into the app's schema and validated at start-up. */
  config?: TObject
  /** Its own templates, addressed by the feature's name: 'field-service/jobs' is `<views>/jobs.eta`. */
  views?: string
  assets?: FeatureAssets
  /** Add-ons carry their own migrations folder. */
  migrations?: string
  /** Demo data for a fresh database; returns accounts worth printing. */
  seed?(cradle: Cradle): Promise<DemoAccount[]>
}

export class FeatureError extends Error {}

const addonName = /^[a-z][a-z0-9-]*$/

async function importAddon(name: string, dirs: string[]): Promise<Feature> {
  if (!addonName.test(name)) throw new FeatureError(`PORTAL_ADDONS: "${name}" is not a valid add-on name.`)
  for (const dir of dirs) {
    const file = path.join(dir, name, 'index.ts')
    if (existsSync(file)) {
      const feature = (await import(pathToFileURL(file).href) as { default: Feature }).default
      if (feature?.name !== name) throw new FeatureError(`Add-on folder ${name} exports a feature named "${feature?.name}".`)
      return feature
    }
  }
  throw new FeatureError(`PORTAL_ADDONS names an unknown add-on "${name}". Known add-ons are folders in ${dirs.join(', ')}.`)
}

/**
 * Resolves the features to run: the core modules, then the enabled add-ons, each after the
 * features it depends on. A missing dependency stops start-up with a message that names it.
 */
export async function loadFeatures(core: Feature[], addons: string[], addonDirs: string[]): Promise<Feature[]> {
  const enabled = [...core]
  for (const name of addons) {
    if (!enabled.some((f) => f.name === name)) enabled.push(await importAddon(name, addonDirs))
  }
  const byName = new Map(enabled.map((f) => [f.name, f]))
  const ordered: Feature[] = []
  const visiting = new Set<string>()
  const visit = (feature: Feature) => {
    if (ordered.includes(feature)) return
    if (visiting.has(feature.name)) throw new FeatureError(`Features depend on each other in a cycle at "${feature.name}".`)
    visiting.add(feature.name)
    for (const dep of feature.dependsOn ?? []) {
      const needed = byName.get(dep)
      if (!needed) throw new FeatureError(`"${feature.name}" needs "${dep}", which is not enabled. Add it to PORTAL_ADDONS.`)
      visit(needed)
    }
    ordered.push(feature)
  }
  enabled.forEach(visit)
  return ordered
}
