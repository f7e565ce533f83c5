import type { FastifyInstance } from 'fastify'
import { allows, scopeOf, type Viewer } from './access.ts'
import type { Audience, Memo, Panel } from './features.ts'

export interface RenderedWidget {
  id: string
  title: string
  html: string
}

/** A per-page cache of loaded values, keyed by name. */
export function createMemo(): Memo {
  const values = new Map<string, Promise<unknown>>()
  return <T>(key: string, load: () => Promise<T>) => {
    if (!values.has(key)) values.set(key, load())
    return values.get(key) as Promise<T>
  }
}

/** Collects the dashboard cards that enabled features contribute for this viewer. */
export async function renderWidgets(app: FastifyInstance, viewer: Viewer, audience: Audience, memo: Memo = createMemo()): Promise<RenderedWidget[]> {
  const { features } = app.diContainer.cradle
  const widgets = features.flatMap((f) => f.widgets ?? [])
    .filter((w) => w.audience === audience && allows(w.access ?? audience, viewer) && (!w.area || scopeOf(viewer, w.area) !== 'none'))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const ctx = { viewer, cradle: app.diContainer.cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), memo }
  return Promise.all(widgets.map(async (w) => ({ id: w.id, title: w.title, html: await w.render(ctx) })))
}

/** Renders the panels other features contribute to a record page (`slot`), for this viewer. */
export async function renderPanels(app: FastifyInstance, viewer: Viewer, slot: string, record: Parameters<Panel['render']>[1]): Promise<RenderedWidget[]> {
  const { features } = app.diContainer.cradle
  const panels = features.flatMap((f) => f.panels ?? [])
    .filter((p) => p.slot === slot && (!p.area || viewer.kind === 'staff' || scopeOf(viewer, p.area) !== 'none'))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const ctx = { viewer, cradle: app.diContainer.cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d), memo: createMemo() }
  return Promise.all(panels.map(async (p) => ({ id: p.id, title: p.title, html: await p.render(ctx, record) })))
}
