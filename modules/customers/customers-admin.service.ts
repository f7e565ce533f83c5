import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Cradle } from '../../core/container.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { Invalid, NotFound } from '../../core/lib/errors.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import { toPage } from '../../core/lib/pagination.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import * as repo from './customers.repository.ts'
import { toAccount } from './customers.resource.ts'

/** Staff's view of every partner's customers: lists, duplicates across partners, and moving a customer to another partner. */
export class CustomersAdminService {
  constructor(private readonly deps: { db: Db; events: EventBus; partners: Cradle['partners'] }) {}

  /** Partner names by id, for staff pages that list customers of many partners. */
  private async partnerNames(ids: string[]): Promise<Map<string, string>> {
    const partners = await this.deps.partners.partnerNames({ ids: [...new Set(ids)] })
    return new Map(partners.map((p) => [p.id, p.name]))
  }

  async list(filter: repo.StaffAccountFilter, limit: number) {
    return toPage(await repo.listAllAccounts(this.deps.db, filter, limit + 1), limit, (a) => ({ key: a.name, id: a.id }))
  }

  async account(id: string) {
    const account = await repo.findAccountWithPartner(this.deps.db, id)
    if (!account) throw new NotFound('The customer account')
    return account
  }

  /** The account as the API shows it, or null once it is removed: what a webhook carries. */
  async resource(id: string, db: DbOrTrx = this.deps.db) {
    const account = await repo.findAccountForStaff(db, id)
    return account ? toAccount(account) : null
  }

  /** The account's page: it, its contacts and other partners' accounts with its domain (never shown to partners), read with the page's other values. */
  async accountPage(load: PageLoader, id: string) {
    const page = await load('account', () => repo.staffAccountPage(this.deps.db, id))
    if (!page) throw new NotFound('The customer account')
    return page
  }

  async possibleDuplicates(limit = 200) {
    const pairs = await repo.possibleDuplicates(this.deps.db, limit)
    const names = await this.partnerNames(pairs.flatMap((p) => [p.a_partner_id, p.b_partner_id]))
    return pairs.map((p) => ({ ...p, a_partner: names.get(p.a_partner_id) ?? '', b_partner: names.get(p.b_partner_id) ?? '' }))
  }

  /** The account and its contacts move to another partner; the old partner loses them at once. */
  async reassign(actor: Actor, id: string, partnerId: string): Promise<{ name: string; partner: string }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockAccountForStaff(trx, id)
      if (!before) throw new NotFound('The customer account')
      const partner = await this.deps.partners.partner(partnerId, trx).catch(() => {
        throw new Invalid({ partner_id: 'Choose an active partner.' })
      })
      if (partner.status !== 'active') throw new Invalid({ partner_id: 'Choose an active partner.' })
      if (partner.id === before.partner_id) throw new Invalid({ partner_id: 'The customer is already with this partner.' })
      await repo.moveAccountToPartner(trx, id, partnerId)
      await audit(trx, actor, {
        action: 'customer.reassigned', entity: 'customer-account', entityId: id, partnerId,
        before: { partner_id: before.partner_id, owner_id: before.owner_id }, after: { partner_id: partnerId, owner_id: null }
      })
      await this.deps.events.emit(trx, 'customer.reassigned', id, { accountId: id, fromPartnerId: before.partner_id, toPartnerId: partnerId, by: actor.id })
      return { name: before.name, partner: partner.name }
    })
  }
}
