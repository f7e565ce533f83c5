import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Eta } from 'eta'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { allows, scopeOf, type Viewer } from './access.ts'
import type { Audience, NavEntry } from './features.ts'
import { helpers } from './view-helpers.ts'

export const viewsDir = path.resolve(import.meta.dirname, '../views')
const staticDir = path.join(viewsDir, 'static')
const htmxDir = path.resolve(import.meta.dirname, '../node_modules/htmx.org/dist')

/** Asset URLs carry a hash of the file, so they can be cached for a year. */
function assetVersions(): Record<string, string> {
  const version = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10)
  return {
    css: `/assets/app.css?v=${version(path.join(staticDir, 'app.css'))}`,
    js: `/assets/app.js?v=${version(path.join(staticDir, 'app.js'))}`,
    htmx: `/assets/htmx/htmx.min.js?v=${version(path.join(htmxDir, 'htmx.min.js'))}`
  }
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

/** Eta with each template's path resolved once: Eta resolves it again on every render and include. */
function createEta(): Eta {
  const eta = new Eta({ views: viewsDir, cache: true, functionHeader: 'const h = it.h;' })
  const resolve = eta.resolvePath
  const paths = new Map<string, string>()
  eta.resolvePath = (template, options) => {
    const key = `${options?.filepath ?? ''}\0${template}`
    let resolved = paths.get(key)
    if (resolved === undefined) paths.set(key, resolved = resolve.call(eta, template, options))
    return resolved
  }
  return eta
}

export class Views {
  readonly eta = createEta()
  readonly assets = assetVersions()
  constructor(readonly nav: NavEntry[]) {}

  render(template: string, data: Record<string, unknown> = {}): string {
    return this.eta.render(template, { ...data, h: helpers })
  }

  navFor(viewer: Viewer | null): NavEntry[] {
    if (!viewer) return []
    const audience: Audience = viewer.kind === 'staff' ? 'staff' : 'partner'
    return this.nav.filter((entry) => entry.audience === audience &&
      allows(entry.access ?? (audience === 'staff' ? 'staff' : 'partner'), viewer) &&
      (!entry.area || scopeOf(viewer, entry.area) !== 'none'))
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

export default fp<{ nav: NavEntry[] }>(async (app, opts) => {
  const views = new Views(opts.nav)
  app.decorate('views', views)

  await app.register(fastifyStatic, { root: staticDir, prefix: '/assets/', maxAge: '365d', immutable: true, index: false })
  await app.register(fastifyStatic, { root: htmxDir, prefix: '/assets/htmx/', maxAge: '365d', immutable: true, decorateReply: false, index: false, allowedPath: (p) => p === '/htmx.min.js' })

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
    return this.send(views.render('layouts/main', { ...context, body, nav: views.navItems(viewer, path), assets: views.assets }))
  })
}, { name: 'views', dependencies: ['security'] })
