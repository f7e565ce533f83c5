import type { FastifyInstance } from 'fastify'
import { allows, scopeOf, type Viewer } from '../identity/access.ts'
import type { Audience, PanelSlot, PanelSlots } from './features.ts'
import type { PageLoader } from '../web/page-loader.ts'

export interface RenderedWidget {
  id: string
  title: string
  html: string
}

/** Collects the dashboard cards that enabled features contribute for this viewer. */
export async function renderWidgets(app: FastifyInstance, viewer: Viewer, audience: Audience, load: PageLoader = app.diContainer.cradle.pageLoader()): Promise<RenderedWidget[]> {
  const { cradle } = app.diContainer
  const widgets = cradle.contributions.widgets[audience]
    .filter((w) => allows(w.access ?? audience, viewer) && (!w.area || scopeOf(viewer, w.area) !== 'none'))
  const ctx = { viewer, cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), load }
  return Promise.all(widgets.map(async (w) => ({ id: w.id, title: w.title, html: await w.render(ctx) })))
}

/** Renders the panels other features contribute to a record page (`slot`), for this viewer. */
export async function renderPanels<S extends PanelSlot>(app: FastifyInstance, viewer: Viewer, slot: S, record: PanelSlots[S]): Promise<RenderedWidget[]> {
  const { cradle } = app.diContainer
  const declared = cradle.contributions.panels.get(slot)
  if (!declared) throw new Error(`The panel slot "${slot}" is not declared: add it to its feature's panelSlots.`)
  const panels = declared.filter((p) => !p.area || viewer.kind === 'staff' || scopeOf(viewer, p.area) !== 'none')
  const ctx = { viewer, cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), load: cradle.pageLoader() }
  return Promise.all(panels.map(async (p) => ({ id: p.id, title: p.title, html: await p.render(ctx, record) })))
}
