import type { Static } from 'typebox'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import { Forbidden, NotFound } from '../../core/lib/errors.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { queueCounts } from './case-desk.service.ts'
import { activeStatuses } from './cases.table.ts'
import type { ViewForm } from './cases.schemas.ts'
import { queueFromQuery, viewQueryOf } from './queue.ts'
import * as views from './views.repository.ts'

/** Saved views of the staff queue, each with how many cases it holds now: one's own, and shared ones staff admins keep. */
export class CaseViews {
  constructor(private readonly deps: { db: Db; pageLoader: () => PageLoader }) {}

  /** The views with their counts, from the counts kept per status where the view's filters allow, each filter's read once. */
  async usable(viewer: Viewer, load = this.deps.pageLoader()) {
    const rows = (await load(`case-views:${viewer.id}`, () => views.usableQuery(viewer.id))).map(views.viewOf)
    return Promise.all(rows.map(async (v) => {
      const { filter } = queueFromQuery(Object.fromEntries(new URLSearchParams(v.query)), viewer.id)
      const counts = await queueCounts(load, filter)
      const statuses = filter.status ? [filter.status] : filter.active ? activeStatuses : Object.keys(counts)
      return { ...v, count: statuses.reduce((n, s) => n + (counts[s] ?? 0), 0) }
    }))
  }

  /** Saves the filters as given, cleaned to those the queue offers; answers the view's query. */
  async save(viewer: Viewer, form: Static<typeof ViewForm>, submission?: Submission<string>): Promise<string> {
    if (form.shared && viewer.role !== 'admin') throw new Forbidden('Only staff admins share views.')
    const query = viewQueryOf(queueFromQuery(Object.fromEntries(new URLSearchParams(form.query)), viewer.id).filters)
    return this.deps.db.transaction().execute(async (trx) => {
      const saved = await views.insertView(trx, { name: form.name, query, owner_id: form.shared ? null : viewer.id, created_by: viewer.id })
      await audit(trx, viewer, { action: 'cases.view-saved', entity: 'case-view', entityId: saved.id, after: { name: form.name, query, shared: form.shared } })
      await submission?.record(trx, query)
      return query
    })
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    const found = await views.findUsable(this.deps.db, viewer.id, id)
    if (!found) throw new NotFound('The view')
    if (found.owner_id === null && viewer.role !== 'admin') throw new Forbidden('Only staff admins remove shared views.')
    await this.deps.db.transaction().execute(async (trx) => {
      await views.deleteView(trx, id)
      await audit(trx, viewer, { action: 'cases.view-removed', entity: 'case-view', entityId: id, before: { name: found.name } })
    })
  }
}
