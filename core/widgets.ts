import type { FastifyInstance } from 'fastify'
import { allows, scopeOf, type Viewer } from './access.ts'
import type { Audience, Panel } from './features.ts'
import { createPageLoader, type PageLoader } from './page-loader.ts'

export interface RenderedWidget {
  id: string
  title: string
  html: string
}

/** Collects the dashboard cards that enabled features contribute for this viewer. */
export async function renderWidgets(app: FastifyInstance, viewer: Viewer, audience: Audience, load: PageLoader = createPageLoader(app.diContainer.cradle.db)): Promise<RenderedWidget[]> {
  const { features } = app.diContainer.cradle
  const widgets = features.flatMap((f) => f.widgets ?? [])
    .filter((w) => w.audience === audience && allows(w.access ?? audience, viewer) && (!w.area || scopeOf(viewer, w.area) !== 'none'))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const ctx = { viewer, cradle: app.diContainer.cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), load }
  return Promise.all(widgets.map(async (w) => ({ id: w.id, title: w.title, html: await w.render(ctx) })))
}

/** Renders the panels other features contribute to a record page (`slot`), for this viewer. */
export async function renderPanels(app: FastifyInstance, viewer: Viewer, slot: string, record: Parameters<Panel['render']>[1]): Promise<RenderedWidget[]> {
  const { features } = app.diContainer.cradle
  const panels = features.flatMap((f) => f.panels ?? [])
    .filter((p) => p.slot === slot && (!p.area || viewer.kind === 'staff' || scopeOf(viewer, p.area) !== 'none'))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const ctx = { viewer, cradle: app.diContainer.cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), load: createPageLoader(app.diContainer.cradle.db) }
  return Promise.all(panels.map(async (p) => ({ id: p.id, title: p.title, html: await p.render(ctx, record) })))
}
