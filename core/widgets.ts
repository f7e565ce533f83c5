import type { FastifyInstance } from 'fastify'
import { allows, scopeOf, type Viewer } from './access.ts'
import type { Audience } from './features.ts'

export interface RenderedWidget {
  id: string
  title: string
  html: string
}

/** Collects the dashboard cards that enabled features contribute for this viewer. */
export async function renderWidgets(app: FastifyInstance, viewer: Viewer, audience: Audience): Promise<RenderedWidget[]> {
  const { features } = app.diContainer.cradle
  const widgets = features.flatMap((f) => f.widgets ?? [])
    .filter((w) => w.audience === audience && allows(w.access ?? audience, viewer) && (!w.area || scopeOf(viewer, w.area) !== 'none'))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
  const ctx = { viewer, cradle: app.diContainer.cradle, render: (t: string, d?: Record<string, unknown>) => app.views.render(t, d) }
  return Promise.all(widgets.map(async (w) => ({ id: w.id, title: w.title, html: await w.render(ctx) })))
}
