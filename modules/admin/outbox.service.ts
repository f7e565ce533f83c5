import type { Db } from '../../core/data/database.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { findMail, listMail, mailSummary } from '../../core/background/mail/mail.repository.ts'
import { pageSize, timePage } from '../../core/lib/pagination.ts'

/** The outbox as staff admins read it: every message the portal sent or is sending. */
export class OutboxService {
  constructor(private readonly deps: { db: Db }) {}

  /** A page of messages, newest first, after the last one shown (`before`), to addresses containing `to`. */
  async page(filter: { to?: string; before?: { key: string; id: string } }) {
    return timePage(await listMail(this.deps.db, { ...filter, limit: pageSize + 1 }), pageSize, (m) => m.created_key)
  }

  async message(id: string) {
    const mail = await findMail(this.deps.db, id)
    if (!mail) throw new NotFound('The message')
    return mail
  }

  /** Messages of the last 30 days by status, for the admin home. */
  summary(): Promise<Record<string, number>> {
    return mailSummary(this.deps.db)
  }
}
