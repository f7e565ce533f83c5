import type { Static } from 'typebox'
import { permissionsOf, scopeOf, type Action, type PartnerViewer } from '../../core/identity/access.ts'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { Conflict, Invalid, NotFound, PreconditionFailed } from '../../core/lib/errors.ts'
import { EventRefused, type EventBus } from '../../core/background/events/events.ts'
import { toPage, type Page } from '../../core/lib/pagination.ts'
import type { Reach } from '../../core/identity/reach.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { PartnerUsersService } from '../../core/identity/users/partner-users.service.ts'
import { customerReach, permitCustomers } from './customer-access.ts'
import * as repo from './customers.repository.ts'
import { nameKey, toAccountFields, type AccountForm } from './customers.schemas.ts'
import type { AccountRow } from './customers.table.ts'
import './customers.events.ts'

type Deps = { db: Db; partnerUsers: PartnerUsersService; events: EventBus }

const snapshot = (a: AccountRow) => ({
  name: a.name, domain: a.domain, website: a.website, phone: a.phone, address: a.address, city: a.city, postal_code: a.postal_code,
  country: a.country, industry: a.industry, owner_id: a.owner_id, primary_contact_id: a.primary_contact_id, partner_id: a.partner_id
})

/**
 * Customer accounts, each partner's own and sealed from every other partner; and for the pages, the
 * viewer's reach and abilities in the customers area (customer-access.ts, shared by the module's services).
 */
export class CustomersService {
  constructor(private readonly deps: Deps) {}

  /** The viewer's reach in the customers area; "none" answers 404 like a page that does not exist. */
  reach(viewer: PartnerViewer): Reach {
    return customerReach(viewer)
  }

  /** Checked after the record is found, so someone else's record answers 404 before any 403. */
  permit(viewer: PartnerViewer, action: Action): void {
    permitCustomers(viewer, action)
  }

  /** Which buttons the viewer's pages offer. */
  abilities(viewer: PartnerViewer): Record<Action, boolean> {
    const { create, edit, delete: remove } = permissionsOf(viewer).customers
    return { create, edit, delete: remove }
  }

  seesCompany(viewer: PartnerViewer): boolean {
    return scopeOf(viewer, 'customers') === 'company'
  }

  async listAccounts(viewer: PartnerViewer, filter: repo.AccountFilter, limit: number): Promise<Page<Awaited<ReturnType<typeof repo.listAccounts>>[number]>> {
    const rows = await repo.listAccounts(this.deps.db, this.reach(viewer), filter, limit + 1)
    return toPage(rows, limit, (a) => ({ key: filter.sort === 'newest' ? a.created_key : a.name, id: a.id }))
  }

  async account(viewer: PartnerViewer, id: string) {
    const account = await repo.findAccount(this.deps.db, this.reach(viewer), id)
    if (!account) throw new NotFound('The customer account')
    return account
  }

  searchAccounts(viewer: PartnerViewer, q: string, limit: number) {
    return repo.searchAccounts(this.deps.db, this.reach(viewer), q.trim().slice(0, 100), Math.min(Math.max(limit, 1), 500))
  }

  async contactsOf(viewer: PartnerViewer, accountId: string) {
    const reach = this.reach(viewer)
    await this.account(viewer, accountId)
    const contacts = await repo.contactsOfAccount(this.deps.db, reach, accountId)
    return contacts.map((c) => ({ id: c.id, name: `${c.first_name} ${c.last_name}`, email: c.email }))
  }

  /** The account's contacts with every field, for its own page. */
  /** An account's page: the account, its contacts and, with `pick`, the contacts its picker offers; 404 out of reach. */
  async accountPage(viewer: PartnerViewer, id: string, pick: { search?: string; limit: number } | null) {
    const page = await repo.findAccountPage(this.deps.db, this.reach(viewer), id, pick)
    if (!page) throw new NotFound('The customer account')
    return page
  }

  /** The partner's people who may own customer records, for the owner field and filter. */
  async owners(viewer: PartnerViewer) {
    const people = await this.deps.partnerUsers.list(viewer.partnerId)
    return people.filter((p) => p.status === 'active').map((p) => ({ id: p.id, name: p.name }))
  }

  /** The owner a company-wide user chose (checked against the team), or undefined to keep the default. */
  private async chosenOwner(viewer: PartnerViewer, requested: string): Promise<string | undefined> {
    if (!this.seesCompany(viewer) || !requested) return undefined
    if (!(await this.owners(viewer)).some((p) => p.id === requested)) throw new Invalid({ owner_id: 'Choose an owner from your team.' })
    return requested
  }

  async createAccount(viewer: PartnerViewer, form: Static<typeof AccountForm>, submission?: Submission): Promise<string> {
    const reach = this.reach(viewer)
    this.permit(viewer, 'create')
    const fields = toAccountFields(form)
    const ownerId = await this.chosenOwner(viewer, form.owner_id) ?? viewer.id
    return this.deps.db.transaction().execute(async (trx) => {
      const account = await repo.insertAccount(trx, { ...fields, name_key: nameKey(fields.name), partner_id: reach.partnerId, owner_id: ownerId })
      await audit(trx, viewer, { action: 'customer.created', entity: 'customer-account', entityId: account.id, partnerId: reach.partnerId, after: snapshot(account) })
      await this.deps.events.emit(trx, 'customer.created', account.id, { accountId: account.id, partnerId: reach.partnerId, name: account.name, source: 'form', by: viewer.id })
      await submission?.record(trx, account.id)
      return account.id
    })
  }

  /** With `ifVersion` (the API's If-Match), refused unless the account is still as the caller read it. */
  async updateAccount(viewer: PartnerViewer, id: string, form: Static<typeof AccountForm>, ifVersion?: string): Promise<void> {
    const fields = toAccountFields(form)
    const ownerId = await this.chosenOwner(viewer, form.owner_id)
    await this.changeAccount(viewer, id, 'edit', 'customer.updated', async () =>
      ({ ...fields, name_key: nameKey(fields.name), ...(ownerId ? { owner_id: ownerId } : {}) }), ifVersion)
  }

  async setPrimaryContact(viewer: PartnerViewer, accountId: string, contactId: string): Promise<void> {
    const reach = this.reach(viewer)
    await this.changeAccount(viewer, accountId, 'edit', 'customer.primary-contact-set', async (trx) => {
      const contact = await repo.findContact(trx, reach, contactId)
      if (!contact) throw new NotFound('The contact')
      if (contact.account_id !== accountId) throw new Invalid({ primary_contact_id: 'Choose one of this account’s contacts.' })
      return { primary_contact_id: contact.id }
    })
  }

  private async changeAccount(viewer: PartnerViewer, id: string, action: Action, auditAction: string,
    changes: (trx: DbOrTrx) => Promise<Parameters<typeof repo.updateAccount>[3]>, ifVersion?: string): Promise<void> {
    const reach = this.reach(viewer)
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockAccount(trx, reach, id)
      if (!before) throw new NotFound('The customer account')
      this.permit(viewer, action)
      if (ifVersion !== undefined && before.version !== ifVersion) throw new PreconditionFailed()
      const after = await repo.updateAccount(trx, reach, id, await changes(trx))
      const [was, is] = [snapshot(before), snapshot(after)]
      await audit(trx, viewer, { action: auditAction, entity: 'customer-account', entityId: id, partnerId: reach.partnerId, before: was, after: is })
      const changed = (Object.keys(is) as Array<keyof typeof is>).filter((k) => was[k] !== is[k])
      if (changed.length) await this.deps.events.emit(trx, 'customer.updated', id, { accountId: id, partnerId: reach.partnerId, changed, by: viewer.id })
    })
  }

  /** Refused, naming every reason, while other modules still hold records of the account (customers.events.ts). */
  async removeAccount(viewer: PartnerViewer, id: string): Promise<string> {
    const reach = this.reach(viewer)
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockAccount(trx, reach, id)
      if (!before) throw new NotFound('The customer account')
      this.permit(viewer, 'delete')
      await this.announceRemoval(trx, viewer, before).catch((err: unknown) => {
        if (err instanceof EventRefused) throw new Conflict(`${before.name} cannot be removed: it still has ${err.reasons.join(' and ')}.`)
        throw err
      })
      await repo.deleteAccount(trx, reach, id)
      await audit(trx, viewer, { action: 'customer.removed', entity: 'customer-account', entityId: id, partnerId: reach.partnerId, before: snapshot(before) })
      return before.name
    })
  }

  /** Emitted before the account is deleted; throws EventRefused while another module still holds records of it. */
  announceRemoval(trx: DbOrTrx, actor: Actor, account: { id: string; partner_id: string; name: string }): Promise<void> {
    return this.deps.events.emit(trx, 'customer.removed', account.id, { accountId: account.id, partnerId: account.partner_id, name: account.name, by: actor.id })
  }

  /**
   * The partner's account for a customer named on another record (a deal registration): the one
   * with that domain (or that name, without a domain), else a new one.
   */
  async ensureAccount(trx: DbOrTrx, actor: Actor, partnerId: string, customer: { name: string; domain: string | null; country: string | null; ownerId: string | null }): Promise<string> {
    const domain = customer.domain ? customer.domain.toLowerCase() : null
    const existing = await repo.findAccountFor(trx, { partnerId, ownerId: null }, { domain, nameKey: nameKey(customer.name) })
    if (existing) return existing.id
    const account = await repo.insertAccount(trx, {
      name: customer.name, name_key: nameKey(customer.name), domain, country: customer.country, partner_id: partnerId, owner_id: customer.ownerId
    })
    await audit(trx, actor, { action: 'customer.created', entity: 'customer-account', entityId: account.id, partnerId, after: snapshot(account) })
    await this.deps.events.emit(trx, 'customer.created', account.id, { accountId: account.id, partnerId, name: account.name, source: 'offer', by: actor.id })
    return account.id
  }
}
