import { existsSync } from 'node:fs'
import path from 'node:path'
import { Eta } from 'eta'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { allows, scopeOf, type Access, type Viewer } from '../identity/access.ts'
import { Assets, type AssetFolder } from './assets.ts'
import { FeatureError, type Feature, type NavEntry } from '../features/features.ts'
import { helpers } from './view-helpers.ts'

export const viewsDir = path.resolve(import.meta.dirname, '../../views')
const staticDir = path.join(viewsDir, 'static')
const htmxDir = path.resolve(import.meta.dirname, '../../node_modules/htmx.org/dist')

/** Core's static files, then each feature's own under /assets/<feature>/. */
function assetFolders(features: Feature[]): AssetFolder[] {
  const folders: AssetFolder[] = [{ name: '', dir: staticDir }, { name: 'htmx', dir: htmxDir, only: ['htmx.min.js'] }]
  for (const feature of features) {
    if (!feature.assets) continue
    if (feature.name === 'htmx' || existsSync(path.join(staticDir, feature.name))) {
      throw new FeatureError(`"${feature.name}" brings assets, but /assets/${feature.name}/ is core's. Rename the feature.`)
    }
    folders.push({ name: feature.name, dir: feature.assets.dir })
  }
  return folders
}

/** The features' own views folders by feature name; a name that is a folder of core's views would hide it. */
function templateFolders(features: Feature[]): Map<string, string> {
  const folders = new Map<string, string>()
  for (const feature of features) {
    if (!feature.views) continue
    if (existsSync(path.join(viewsDir, feature.name))) {
      throw new FeatureError(`"${feature.name}" brings its own views, but views/${feature.name}/ is core's. Rename the feature.`)
    }
    folders.set(feature.name, feature.views)
  }
  return folders
}

const inside = (root: string, file: string) => {
  const relative = path.relative(root, file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

export interface NavLink {
  label: string
  href: string
  current: boolean
}

/** An entry of the main navigation as the layout draws it: a link, or a menu of links. */
export type NavItem = NavLink | { menu: string; current: boolean; links: NavLink[] }

export interface PageOptions {
  title: string
  status?: number
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a template as a whole page, or as a fragment for an htmx request. */
    page(template: string, data: Record<string, unknown>, options: PageOptions): FastifyReply
    /** A one-line message shown on the next page (after a redirect). */
    flash(message: string): FastifyReply
    /** Redirect after a POST: 303, so the browser follows with a GET. */
    seeOther(url: string): FastifyReply
  }
  interface FastifyInstance {
    views: Views
  }
}

/**
 * Where a template is: a path starting with a feature's name is in that feature's views folder
 * ('field-service/jobs'), any other in core's; an include without a leading slash is relative to
 * the including template, within its folder.
 */
function templateResolver(features: Map<string, string>): (template: string, from?: string) => string {
  const roots = [viewsDir, ...features.values()]
  return (template, from) => {
    const file = path.extname(template) ? template : `${template}.eta`
    let root: string | undefined
    let resolved: string
    if (from && !file.startsWith('/')) {
      root = roots.find((r) => inside(r, from))
      resolved = path.join(path.dirname(from), file)
    } else {
      const name = file.replace(/^\/+/, '')
      const slash = name.indexOf('/')
      const own = slash > 0 ? features.get(name.slice(0, slash)) : undefined
      root = own ?? viewsDir
      resolved = path.join(root, own ? name.slice(slash + 1) : name)
    }
    if (!root || !inside(root, resolved)) throw new Error(`Template "${template}" is outside the views folders.`)
    return resolved
  }
}

/** Eta with each template's path resolved once: Eta resolves it again on every render and include. */
function createEta(features: Map<string, string>): Eta {
  // Indentation is for reading templates; the pages leave it out (issue 18: page weight).
  const eta = new Eta({ views: viewsDir, cache: true, rmWhitespace: true, functionHeader: 'const h = it.h;' })
  const resolve = templateResolver(features)
  const paths = new Map<string, string>()
  eta.resolvePath = (template, options) => {
    const key = `${options?.filepath ?? ''}\0${template}`
    let resolved = paths.get(key)
    if (resolved === undefined) paths.set(key, resolved = resolve(template, options?.filepath))
    return resolved
  }
  return eta
}

type NavAudience = NavEntry['audience']
const audienceAccess: Record<NavAudience, Access> = { public: 'public', partner: 'partner', staff: 'staff' }

/** What the layout links on every page. */
export interface LayoutAssets {
  css: string
  js: string
  htmx: string
  /** The features' own stylesheets and scripts. */
  stylesheets: string[]
  scripts: string[]
}

export class Views {
  readonly eta: Eta
  readonly assets: Assets
  readonly layoutAssets: LayoutAssets
  /** The helpers every template has as `h`, with `h.asset(name)` for the versioned URL of a static file. */
  private readonly h: typeof helpers & { asset(name: string): string }
  private readonly nav: Record<NavAudience, NavEntry[]>

  /** Everything derived from the features is worked out here, once, never per request. */
  constructor(features: Feature[], nav: NavEntry[]) {
    this.eta = createEta(templateFolders(features))
    const assets = this.assets = new Assets(assetFolders(features))
    this.h = { ...helpers, asset: (name) => assets.url(name) }
    const own = (list: 'stylesheets' | 'scripts') => features.flatMap((f) => (f.assets?.[list] ?? []).map((file) => assets.url(`${f.name}/${file}`)))
    this.layoutAssets = {
      css: assets.url('app.css'), js: assets.url('app.js'), htmx: assets.url('htmx/htmx.min.js'),
      stylesheets: own('stylesheets'), scripts: own('scripts')
    }
    const ordered = [...nav].sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
    this.nav = { public: [], partner: [], staff: [] }
    for (const entry of ordered) this.nav[entry.audience].push(entry)
  }

  render(template: string, data: Record<string, unknown> = {}): string {
    return this.eta.render(template, { ...data, h: this.h })
  }

  /** The entries of the viewer's audience they may see; visitors who are not signed in see the public ones. */
  navFor(viewer: Viewer | null): NavEntry[] {
    const audience: NavAudience = !viewer ? 'public' : viewer.kind === 'staff' ? 'staff' : 'partner'
    return this.nav[audience].filter((entry) => allows(entry.access ?? audienceAccess[audience], viewer) &&
      (!entry.area || (viewer !== null && scopeOf(viewer, entry.area) !== 'none')))
  }

  /**
   * The viewer's navigation with the page at `path` marked current (the longest match: Applications,
   * /admin/partners/applications, also lies under Partners), entries grouped into their menus; a
   * menu left with one entry is shown as that entry.
   */
  navItems(viewer: Viewer | null, path: string): NavItem[] {
    const entries = this.navFor(viewer)
    const within = (href: string) => path === href || (href !== '/admin' && href !== '/portal' && path.startsWith(`${href}/`))
    const currentHref = entries.map((e) => e.href).filter(within).sort((a, b) => b.length - a.length)[0]
    const items: NavItem[] = []
    const menus = new Map<string, { menu: string; current: boolean; links: NavLink[] }>()
    for (const entry of entries) {
      const link = { label: entry.label, href: entry.href, current: entry.href === currentHref }
      if (!entry.menu) {
        items.push(link)
        continue
      }
      let menu = menus.get(entry.menu)
      if (!menu) {
        menu = { menu: entry.menu, current: false, links: [] }
        menus.set(entry.menu, menu)
        items.push(menu)
      }
      menu.links.push(link)
      menu.current ||= link.current
    }
    return items.map((item) => ('links' in item && item.links.length === 1 ? item.links[0]! : item))
  }
}

/** htmx swaps fragments; boosted links and history restores want the whole page. */
export function wantsFragment(request: FastifyRequest): boolean {
  const h = request.headers
  return h['hx-request'] === 'true' && h['hx-boosted'] !== 'true' && h['hx-history-restore-request'] !== 'true' &&
    h['hx-request-type'] !== 'full'
}

const flashCookie = 'pp_flash'

export default fp<{ features: Feature[]; nav: NavEntry[] }>(async (app, opts) => {
  const views = new Views(opts.features, opts.nav)
  app.decorate('views', views)

  let first = true
  for (const folder of views.assets.folders) {
    // The compressed copies are looked for first; a client that takes neither gets the file itself.
    const root = await views.assets.compressed(folder).then((dir) => [dir, folder.dir], (err: unknown) => {
      app.log.warn({ err, folder: folder.dir }, 'could not make compressed copies of the static files; serving them uncompressed')
      return folder.dir
    })
    const only = folder.only && new Set(folder.only.map((file) => `/${file}`))
    await app.register(fastifyStatic, {
      root, prefix: folder.name ? `/assets/${folder.name}/` : '/assets/', preCompressed: true, maxAge: '365d', immutable: true,
      index: false, decorateReply: first, ...(only ? { allowedPath: (p: string) => only.has(p) } : {})
    })
    first = false
  }

  app.decorateReply('flash', function (this: FastifyReply, message: string) {
    return this.setCookie(flashCookie, message, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 60 })
  })

  app.decorateReply('seeOther', function (this: FastifyReply, url: string) {
    return this.code(303).redirect(url)
  })

  app.decorateReply('page', function (this: FastifyReply, template: string, data: Record<string, unknown>, options: PageOptions) {
    const request = this.request
    const viewer = request.viewer
    const csrf = this.generateCsrf()
    let flash: string | undefined
    const raw = request.cookies[flashCookie]
    if (raw) {
      const unsigned = request.unsignCookie(raw)
      if (unsigned.valid) flash = unsigned.value ?? undefined
      this.clearCookie(flashCookie, { path: '/' })
    }
    const path = request.url.split('?')[0]!
    const context = { ...data, viewer, csrf, flash, title: options.title, path }
    const body = views.render(template, context)
    this.code(options.status ?? 200).header('vary', 'HX-Request').type('text/html; charset=utf-8')
    if (wantsFragment(request)) return this.send(flash ? views.render('components/flash', { flash }) + body : body)
    return this.send(views.render('layouts/main', { ...context, body, nav: views.navItems(viewer, path), assets: views.layoutAssets }))
  })
}, { name: 'views', dependencies: ['security'] })
