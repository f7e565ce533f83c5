import type { Static } from 'typebox'
import type { PartnerViewer } from '../../core/identity/access.ts'
import { audit } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { NotFound, PreconditionFailed } from '../../core/lib/errors.ts'
import { toPage } from '../../core/lib/pagination.ts'
import type { Reach } from '../../core/identity/reach.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import { customerReach, permitCustomers } from './customer-access.ts'
import * as repo from './customers.repository.ts'
import { toContactFields, type ContactForm } from './customers.schemas.ts'
import type { ContactRow } from './customers.table.ts'

const snapshot = (c: ContactRow) => ({
  first_name: c.first_name, last_name: c.last_name, email: c.email, phone: c.phone, job_title: c.job_title,
  account_id: c.account_id, owner_id: c.owner_id, partner_id: c.partner_id
})

/** The partner's customer contacts, with an account or without one. */
export class ContactsService {
  constructor(private readonly deps: { db: Db }) {}

  async list(viewer: PartnerViewer, filter: repo.ContactFilter, limit: number) {
    const rows = await repo.listContacts(this.deps.db, customerReach(viewer), filter, limit + 1)
    return toPage(rows, limit, (c) => ({ key: c.sort_key, id: c.id }))
  }

  async contact(viewer: PartnerViewer, id: string) {
    const contact = await repo.findContact(this.deps.db, customerReach(viewer), id)
    if (!contact) throw new NotFound('The contact')
    return contact
  }

  /** An account the viewer reaches, for a contact to join; any other id answers 404 like a missing account. */
  private async targetAccount(trx: DbOrTrx, reach: Reach, accountId: string) {
    const account = await repo.lockAccount(trx, reach, accountId)
    if (!account) throw new NotFound('The customer account')
    return account
  }

  async create(viewer: PartnerViewer, form: Static<typeof ContactForm>, submission?: Submission<ContactRow>): Promise<ContactRow> {
    const reach = customerReach(viewer)
    permitCustomers(viewer, 'create')
    return this.deps.db.transaction().execute(async (trx) => {
      const account = form.account_id ? await this.targetAccount(trx, reach, form.account_id) : null
      const contact = await repo.insertContact(trx, { ...toContactFields(form), partner_id: reach.partnerId, account_id: account?.id ?? null, owner_id: viewer.id })
      await audit(trx, viewer, { action: 'contact.created', entity: 'customer-contact', entityId: contact.id, partnerId: reach.partnerId, after: snapshot(contact) })
      await submission?.record(trx, contact)
      return contact
    })
  }

  /** With `ifVersion` (the API's If-Match), only that version is changed: PreconditionFailed if it changed since. */
  async update(viewer: PartnerViewer, id: string, form: Static<typeof ContactForm>, ifVersion?: string): Promise<void> {
    await this.change(viewer, id, 'contact.updated', async (trx, reach) => {
      const account = form.account_id ? await this.targetAccount(trx, reach, form.account_id) : null
      return { ...toContactFields(form), account_id: account?.id ?? null }
    }, ifVersion)
  }

  /** Moves the contact to another of the partner's accounts (also: associates a loose contact). */
  async move(viewer: PartnerViewer, id: string, accountId: string): Promise<void> {
    await this.change(viewer, id, 'contact.moved', async (trx, reach) => ({ account_id: (await this.targetAccount(trx, reach, accountId)).id }))
  }

  async dissociate(viewer: PartnerViewer, id: string): Promise<void> {
    await this.change(viewer, id, 'contact.dissociated', async () => ({ account_id: null }))
  }

  private async change(viewer: PartnerViewer, id: string, auditAction: string,
    changes: (trx: DbOrTrx, reach: Reach) => Promise<Parameters<typeof repo.updateContact>[3]>, ifVersion?: string): Promise<void> {
    const reach = customerReach(viewer)
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockContact(trx, reach, id)
      if (!before) throw new NotFound('The contact')
      permitCustomers(viewer, 'edit')
      if (ifVersion !== undefined && before.version !== ifVersion) throw new PreconditionFailed()
      const after = await repo.updateContact(trx, reach, id, await changes(trx, reach))
      if (before.account_id && after.account_id !== before.account_id) await repo.clearPrimaryContact(trx, reach.partnerId, id)
      await audit(trx, viewer, { action: auditAction, entity: 'customer-contact', entityId: id, partnerId: reach.partnerId, before: snapshot(before), after: snapshot(after) })
    })
  }

  async remove(viewer: PartnerViewer, id: string): Promise<ContactRow> {
    const reach = customerReach(viewer)
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.findContact(trx, reach, id)
      if (!before) throw new NotFound('The contact')
      permitCustomers(viewer, 'delete')
      await repo.deleteContact(trx, reach, id)
      await audit(trx, viewer, { action: 'contact.removed', entity: 'customer-contact', entityId: id, partnerId: reach.partnerId, before: snapshot(before) })
      return before
    })
  }
}
