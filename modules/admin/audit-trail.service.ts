import { historyValue, listAudit, listAuditEntities, type AuditFilter } from '../../core/data/audit/audit.repository.ts'
import type { Db } from '../../core/data/database.ts'
import { pageSize, timePage } from '../../core/lib/pagination.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'

/** How many of a record's latest changes its page shows. */
const historyLength = 50

/** The audit trail as staff read it: filtered on its own page, and each record's history on the record's page. */
export class AuditTrailService {
  constructor(private readonly deps: { db: Db }) {}

  /** A page of entries, newest first, after the last one shown (`after`). */
  async page(filter: Omit<AuditFilter, 'limit'>) {
    return timePage(await listAudit(this.deps.db, { ...filter, limit: pageSize + 1 }), pageSize, (r) => r.at_key)
  }

  /** The kinds of record the trail holds, for its filter. */
  entities(): Promise<string[]> {
    return listAuditEntities(this.deps.db)
  }

  /** The latest changes to one record (a partner, a customer account), newest first. */
  history(entityId: string) {
    return listAudit(this.deps.db, { entityId, limit: historyLength })
  }

  /** The same through a page loader, read with the page's other values. */
  historyOf(load: PageLoader, entityId: string) {
    return load(`history:${entityId}`, () => historyValue(entityId, historyLength))
  }
}
