import type { Static } from 'typebox'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Viewer } from '../../core/identity/access.ts'
import { Forbidden, NotFound } from '../../core/lib/errors.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import * as repo from './canned.repository.ts'
import { caseNumber } from './case-rules.ts'
import { withDates } from './json-rows.ts'
import type { CannedForm } from './cases.schemas.ts'

/** The variables a canned reply may hold, each with what it stands for. */
export const cannedVariables = {
  partner_name: 'the partner company’s name',
  contact_name: 'the name of who opened the case',
  case_number: 'the case number, like CASE-1042',
  case_subject: 'the case’s subject',
  deal_name: 'the linked opportunity’s name (empty without one)'
} as const

/** Fills a canned reply's {{variables}} for a case; an unknown one is left as written, so it shows before sending. */
export function fillCanned(body: string, c: { number: number; subject: string; partner_name: string | null; creator_name: string | null; opportunity_name: string | null }): string {
  const values: Record<string, string> = {
    partner_name: c.partner_name ?? '', contact_name: c.creator_name ?? '', case_number: caseNumber(c), case_subject: c.subject, deal_name: c.opportunity_name ?? ''
  }
  return body.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole)
}

/** Canned replies: each staff member's own, and shared ones that only staff admins write. */
export class CannedReplies {
  constructor(private readonly deps: { db: Db; pageLoader: () => PageLoader }) {}

  /** The replies the viewer may use, read with the page's other values. */
  async usable(viewer: Viewer, load = this.deps.pageLoader()): Promise<repo.CannedReply[]> {
    return (await load(`canned:${viewer.id}`, () => repo.usableQuery(viewer.id))).map((r) => withDates<repo.CannedReply>(r))
  }

  async get(viewer: Viewer, id: string) {
    const found = await repo.findUsable(this.deps.db, viewer.id, id)
    if (!found) throw new NotFound('The canned reply')
    return found
  }

  async create(viewer: Viewer, form: Static<typeof CannedForm>, submission?: Submission): Promise<void> {
    this.mayShare(viewer, form.shared)
    await this.deps.db.transaction().execute(async (trx) => {
      const created = await repo.insertCanned(trx, { title: form.title, body: form.body, owner_id: form.shared ? null : viewer.id, created_by: viewer.id })
      await audit(trx, viewer, { action: 'cases.canned-created', entity: 'case-canned-reply', entityId: created.id, after: { title: form.title, shared: form.shared } })
      await submission?.record(trx, created.id)
    })
  }

  async update(viewer: Viewer, id: string, form: Static<typeof CannedForm>): Promise<void> {
    const found = await this.editable(viewer, id)
    this.mayShare(viewer, form.shared)
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.updateCanned(trx, id, { title: form.title, body: form.body, owner_id: form.shared ? null : found.owner_id ?? viewer.id })
      await audit(trx, viewer, { action: 'cases.canned-updated', entity: 'case-canned-reply', entityId: id, before: { title: found.title }, after: { title: form.title, shared: form.shared } })
    })
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    const found = await this.editable(viewer, id)
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.deleteCanned(trx, id)
      await audit(trx, viewer, { action: 'cases.canned-removed', entity: 'case-canned-reply', entityId: id, before: { title: found.title } })
    })
  }

  /** One's own, or a shared one for a staff admin. */
  private async editable(viewer: Viewer, id: string) {
    const found = await this.get(viewer, id)
    if (found.owner_id === null && viewer.role !== 'admin') throw new Forbidden('Only staff admins change shared canned replies.')
    return found
  }

  private mayShare(viewer: Viewer, shared: boolean): void {
    if (shared && viewer.role !== 'admin') throw new Forbidden('Only staff admins share canned replies.')
  }
}
