import type { PartnerViewer } from '../../core/identity/access.ts'
import type { Db } from '../../core/data/database.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { isId } from '../../core/lib/validation.ts'
import { pickerOf, pickerSize, pickerText, type Choice, type Picker } from '../../core/lib/pickers.ts'
import { customerReach } from './customer-access.ts'
import type { ContactsService } from './contacts.service.ts'
import * as repo from './customers.repository.ts'
import type { CustomersService } from './customers.service.ts'

const accountChoice = (a: { id: string; name: string; domain: string | null; city: string | null }): Choice =>
  ({ id: a.id, label: a.name, detail: [a.domain, a.city].filter(Boolean).join(' · ') })
const contactChoice = (c: { id: string; first_name: string; last_name: string; email: string | null; account_name: string | null }): Choice =>
  ({ id: c.id, label: `${c.first_name} ${c.last_name}`, detail: [c.email, c.account_name ? `now at ${c.account_name}` : ''].filter(Boolean).join(' · ') })

/** The search pickers of the forms that name a customer account or contact, here and in later modules. */
export class CustomerPickers {
  constructor(private readonly deps: { db: Db; customers: CustomersService; customerContacts: ContactsService }) {}

  /**
   * The account picker: the first accounts matching q by name, domain or city, except `exceptId`. A chosen id out of the
   * viewer's reach answers 404; a malformed one chooses nothing.
   */
  async accountPicker(viewer: PartnerViewer, q: unknown, chosenId: unknown, exceptId?: string | null): Promise<Picker> {
    const text = pickerText(q)
    if (!isId(chosenId)) return pickerOf(text, (await repo.searchAccounts(this.deps.db, customerReach(viewer), text, pickerSize + 1, exceptId)).map(accountChoice), null)
    const { found, chosen } = await repo.searchAccountsWithChosen(this.deps.db, customerReach(viewer), text, pickerSize + 1, exceptId, chosenId)
    if (!chosen) throw new NotFound('The customer account')
    return pickerOf(text, found.map(accountChoice), accountChoice(chosen))
  }

  /** A contact with the picker of the accounts to move it to (as `accountPicker` without its own account), read in one round trip. */
  async contactWithMovePicker(viewer: PartnerViewer, contactId: string, q: unknown, chosenId: unknown) {
    const text = pickerText(q)
    const row = await repo.findContactWithMoves(this.deps.db, customerReach(viewer), contactId, text, pickerSize + 1)
    if (!row) throw new NotFound('The contact')
    const { moves, ...contact } = row
    const chosen = isId(chosenId) ? accountChoice(await this.deps.customers.account(viewer, chosenId)) : null
    return { contact, picker: pickerOf(text, moves.map(accountChoice), chosen) }
  }

  /** The contact picker of an account: the first contacts elsewhere (or without an account) matching q by name or e-mail. */
  async contactPicker(viewer: PartnerViewer, accountId: string, q: unknown, chosenId: unknown): Promise<Picker> {
    const text = pickerText(q)
    const found = await repo.listContacts(this.deps.db, customerReach(viewer), { search: text || undefined, notAt: accountId }, pickerSize + 1)
    return this.contactPickerOf(viewer, text, found, chosenId)
  }

  /** The same picker from the contacts already read with the account (its page reads them in one statement). */
  async contactPickerOf(viewer: PartnerViewer, text: string, found: Array<Parameters<typeof contactChoice>[0]>, chosenId: unknown): Promise<Picker> {
    const chosen = isId(chosenId) ? contactChoice(await this.deps.customerContacts.contact(viewer, chosenId)) : null
    return pickerOf(text, found.map(contactChoice), chosen)
  }
}
