import { ChannelAreas, type Area } from '../identity/access.ts'
import type { MigrationsFolder } from '../data/migrator.ts'
import { FeatureError, type Audience, type Feature, type NavEntry, type Panel, type PanelSlot, type SuggestionProvider, type Widget, type WebhookSources, type WebhookType } from './features.ts'

declare module '../container.ts' {
  interface Cradle {
    contributions: Contributions
    channelAreas: ChannelAreas
  }
}

const byOrder = (a: { order?: number }, b: { order?: number }) => (a.order ?? 50) - (b.order ?? 50)

/** Each name a feature gives (an area, a slot) belongs to one feature; a second one stops start-up naming both. */
function ownedOnce(features: Feature[], what: string, names: (f: Feature) => string[] | undefined): Map<string, string> {
  const owners = new Map<string, string>()
  for (const feature of features) {
    for (const name of names(feature) ?? []) {
      const owner = owners.get(name)
      if (owner) throw new FeatureError(`"${owner}" and "${feature.name}" both register the ${what} "${name}".`)
      owners.set(name, feature.name)
    }
  }
  return owners
}

/**
 * What the enabled features bring, checked against each other and put in order once, when the app
 * is built: pages read these lists and never walk the features.
 */
export class Contributions {
  /** In the features' order; the views put them in their own order with core's entries. */
  readonly nav: NavEntry[]
  readonly widgets: Record<Audience, Widget[]>
  readonly panels: ReadonlyMap<PanelSlot, Panel[]>
  readonly suggestions: SuggestionProvider[]
  /** Every feature's webhook events by name, and which domain event becomes which. */
  readonly webhookTypes: Readonly<Record<string, WebhookType>>
  readonly webhookSources: WebhookSources
  readonly areas: ChannelAreas
  readonly migrations: MigrationsFolder[]

  constructor(readonly features: Feature[]) {
    this.areas = new ChannelAreas(features.flatMap((f) => f.areas ?? []), features.flatMap((f) => f.grants ?? []))
    const areaOwners = ownedOnce(features, 'channel-permission area', (f) => f.areas?.map((a) => a.name))
    ownedOnce(features, 'channel permission', (f) => [...f.areas ?? [], ...f.grants ?? []].map((p) => p.name))
    const slotOwners = ownedOnce(features, 'panel slot', (f) => f.panelSlots)
    for (const feature of features) {
      for (const panel of feature.panels ?? []) {
        if (!slotOwners.has(panel.slot)) {
          const known = [...slotOwners.keys()].join(', ') || 'none'
          throw new FeatureError(`"${feature.name}" adds the panel "${panel.id}" to the slot "${panel.slot}", which no enabled feature declares (declared: ${known}).`)
        }
      }
      const uses: Array<{ area?: Area; what: string }> = [
        ...(feature.nav ?? []).map((e) => ({ area: e.area, what: `nav entry "${e.label}"` })),
        ...(feature.widgets ?? []).map((w) => ({ area: w.area, what: `widget "${w.id}"` })),
        ...(feature.panels ?? []).map((p) => ({ area: p.area, what: `panel "${p.id}"` }))
      ]
      for (const use of uses) {
        if (use.area && !areaOwners.has(use.area)) {
          throw new FeatureError(`"${feature.name}" shows its ${use.what} by the area "${use.area}", which no enabled feature registers.`)
        }
      }
    }
    this.nav = features.flatMap((f) => f.nav ?? [])
    const widgets = features.flatMap((f) => f.widgets ?? []).sort(byOrder)
    this.widgets = { partner: widgets.filter((w) => w.audience === 'partner'), staff: widgets.filter((w) => w.audience === 'staff') }
    const panels = new Map<PanelSlot, Panel[]>([...slotOwners.keys()].map((slot) => [slot as PanelSlot, []]))
    for (const panel of features.flatMap((f) => f.panels ?? []).sort(byOrder)) panels.get(panel.slot)!.push(panel)
    this.panels = panels
    ownedOnce(features, 'suggestion provider', (f) => f.suggestions?.map((p) => p.id))
    this.suggestions = features.flatMap((f) => f.suggestions ?? []).sort(byOrder)
    ownedOnce(features, 'webhook event', (f) => Object.keys(f.webhookTypes ?? {}))
    ownedOnce(features, 'webhook source of the domain event', (f) => Object.keys(f.webhookSources ?? {}))
    this.webhookTypes = Object.assign({}, ...features.map((f) => f.webhookTypes ?? {})) as Record<string, WebhookType>
    this.webhookSources = Object.assign({}, ...features.map((f) => f.webhookSources ?? {})) as WebhookSources
    for (const feature of features) {
      for (const [event, source] of Object.entries(feature.webhookSources ?? {})) {
        if (!this.webhookTypes[source.type]) throw new FeatureError(`"${feature.name}" sends the domain event "${event}" as the webhook event "${source.type}", which no enabled feature offers.`)
      }
    }
    this.migrations = features.flatMap((f) => (f.migrations ? [{ dir: f.migrations, feature: f.name }] : []))
  }
}
