import type { Static } from 'typebox'
import { permissionsOf, requireArea, scopeOf, type Action, type PartnerViewer } from '../../core/access.ts'
import { audit, type Actor } from '../../core/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/db/database.ts'
import { Conflict, Invalid, NotFound } from '../../core/errors.ts'
import type { JobRunner } from '../../core/jobs/job-runner.ts'
import { toPage, type Page } from '../../core/pagination.ts'
import { isId } from '../../core/validation.ts'
import type { Submission } from '../../core/submissions/submissions.ts'
import type { PartnerUsersService } from '../../core/users/partner-users.service.ts'
import type { Cradle } from '../../core/container.ts'
import { checkRecords } from './customer-csv.ts'
import * as repo from './customers.repository.ts'
import { nameKey, toAccountFields, toContactFields, type AccountForm, type ContactForm } from './customers.schemas.ts'
import type { AccountFields, AccountInsert, AccountRow, ContactInsert, ContactRow } from './customers.table.ts'

type Deps = { db: Db; jobs: JobRunner; partners: Cradle['partners']; partnerUsers: PartnerUsersService }

/** Reports why an account cannot be removed now (e.g. "3 open opportunities"), or null. */
export type RemovalCheck = (trx: DbOrTrx, accountId: string) => Promise<string | null>

export const importJob = 'customers.import'
const checkChunk = 1000
const importChunk = 500

type ImportSummary = NonNullable<Awaited<ReturnType<typeof repo.lockImport>>>

const count = (n: number) => n.toLocaleString('en-US')
const importer = (record: ImportSummary): Actor =>
  (record.created_by ? { id: record.created_by, name: record.created_by_name } : { id: null, name: record.created_by_name })

const accountSnapshot = (a: AccountRow) => ({
  name: a.name, domain: a.domain, website: a.website, phone: a.phone, address: a.address, city: a.city, postal_code: a.postal_code,
  country: a.country, industry: a.industry, owner_id: a.owner_id, primary_contact_id: a.primary_contact_id, partner_id: a.partner_id
})
const contactSnapshot = (c: ContactRow) => ({
  first_name: c.first_name, last_name: c.last_name, email: c.email, phone: c.phone, job_title: c.job_title,
  account_id: c.account_id, owner_id: c.owner_id, partner_id: c.partner_id
})

/** Records a picker lists at once; typing narrows the rest. */
const pickerSize = 20

interface Choice { id: string; label: string; detail: string }
/** A search picker's state: the first matches for q, whether there are more, and the chosen record. */
export interface Picker { q: string; choices: Choice[]; chosenId: string; count: number; more: boolean }

/** The chosen record stays in the list, on top when it is not among the matches, and is not counted as one. */
function pickerOf(q: string, found: Choice[], chosen: Choice | null): Picker {
  const matches = found.slice(0, pickerSize)
  const choices = chosen && !matches.some((c) => c.id === chosen.id) ? [chosen, ...matches] : matches
  return { q, choices, chosenId: chosen?.id ?? '', count: matches.length, more: found.length > pickerSize }
}

const accountChoice = (a: { id: string; name: string; domain: string | null; city: string | null }): Choice =>
  ({ id: a.id, label: a.name, detail: [a.domain, a.city].filter(Boolean).join(' · ') })
const contactChoice = (c: { id: string; first_name: string; last_name: string; email: string | null; account_name: string | null }): Choice =>
  ({ id: c.id, label: `${c.first_name} ${c.last_name}`, detail: [c.email, c.account_name ? `now at ${c.account_name}` : ''].filter(Boolean).join(' · ') })
const pickerText = (q: unknown) => String(q ?? '').trim().slice(0, 100)

/** Customer accounts and contacts: each partner's own, sealed from every other partner. */
export class CustomersService {
  private readonly removalChecks: RemovalCheck[] = []

  constructor(private readonly deps: Deps) {}

  /** Later modules (opportunities, cases) refuse an account's removal while it still has their records. */
  addRemovalCheck(check: RemovalCheck): void {
    this.removalChecks.push(check)
  }

  /** The viewer's reach in the customers area; "none" answers 404 like a page that does not exist. */
  reach(viewer: PartnerViewer): repo.Reach {
    const scope = requireArea(viewer, 'customers')
    return { partnerId: viewer.partnerId, ownerId: scope === 'own' ? viewer.id : null }
  }

  /** Checked after the record is found, so someone else's record answers 404 before any 403. */
  permit(viewer: PartnerViewer, action: Action): void {
    requireArea(viewer, 'customers', action)
  }

  /** Which buttons the viewer's pages offer. */
  abilities(viewer: PartnerViewer): Record<Action, boolean> {
    const { create, edit, delete: remove } = permissionsOf(viewer).customers
    return { create, edit, delete: remove }
  }

  seesCompany(viewer: PartnerViewer): boolean {
    return scopeOf(viewer, 'customers') === 'company'
  }

  // Accounts

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

  /**
   * The account picker: the first accounts matching q by name, domain or city, except `exceptId`. A chosen id out of the
   * viewer's reach answers 404; a malformed one chooses nothing.
   */
  async accountPicker(viewer: PartnerViewer, q: unknown, chosenId: unknown, exceptId?: string | null): Promise<Picker> {
    const text = pickerText(q)
    const found = await repo.searchAccounts(this.deps.db, this.reach(viewer), text, pickerSize + 1, exceptId)
    const chosen = isId(chosenId) ? accountChoice(await this.account(viewer, chosenId)) : null
    return pickerOf(text, found.map(accountChoice), chosen)
  }

  /** The contact picker of an account: the first contacts elsewhere (or without an account) matching q by name or e-mail. */
  async contactPicker(viewer: PartnerViewer, accountId: string, q: unknown, chosenId: unknown): Promise<Picker> {
    const text = pickerText(q)
    const found = await repo.listContacts(this.deps.db, this.reach(viewer), { search: text || undefined, notAt: accountId }, pickerSize + 1)
    const chosen = isId(chosenId) ? contactChoice(await this.contact(viewer, chosenId)) : null
    return pickerOf(text, found.map(contactChoice), chosen)
  }

  async contactsOf(viewer: PartnerViewer, accountId: string) {
    const reach = this.reach(viewer)
    await this.account(viewer, accountId)
    const contacts = await repo.contactsOfAccount(this.deps.db, reach, accountId)
    return contacts.map((c) => ({ id: c.id, name: `${c.first_name} ${c.last_name}`, email: c.email }))
  }

  /** The account's contacts with every field, for its own page. */
  async contactRowsOf(viewer: PartnerViewer, accountId: string) {
    await this.account(viewer, accountId)
    return repo.contactsOfAccount(this.deps.db, this.reach(viewer), accountId)
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
      await audit(trx, viewer, { action: 'customer.created', entity: 'customer-account', entityId: account.id, partnerId: reach.partnerId, after: accountSnapshot(account) })
      await submission?.record(trx, account.id)
      return account.id
    })
  }

  async updateAccount(viewer: PartnerViewer, id: string, form: Static<typeof AccountForm>): Promise<void> {
    const fields = toAccountFields(form)
    const ownerId = await this.chosenOwner(viewer, form.owner_id)
    await this.changeAccount(viewer, id, 'edit', 'customer.updated', async () =>
      ({ ...fields, name_key: nameKey(fields.name), ...(ownerId ? { owner_id: ownerId } : {}) }))
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
    changes: (trx: DbOrTrx) => Promise<Parameters<typeof repo.updateAccount>[3]>): Promise<void> {
    const reach = this.reach(viewer)
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockAccount(trx, reach, id)
      if (!before) throw new NotFound('The customer account')
      this.permit(viewer, action)
      const after = await repo.updateAccount(trx, reach, id, await changes(trx))
      await audit(trx, viewer, { action: auditAction, entity: 'customer-account', entityId: id, partnerId: reach.partnerId, before: accountSnapshot(before), after: accountSnapshot(after) })
    })
  }

  /** Refused, naming every reason, while other modules still hold records of the account. */
  async removeAccount(viewer: PartnerViewer, id: string): Promise<string> {
    const reach = this.reach(viewer)
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockAccount(trx, reach, id)
      if (!before) throw new NotFound('The customer account')
      this.permit(viewer, 'delete')
      const reasons = await this.removalReasons(trx, id)
      if (reasons.length) throw new Conflict(`${before.name} cannot be removed: it still has ${reasons.join(' and ')}.`)
      await repo.deleteAccount(trx, reach, id)
      await audit(trx, viewer, { action: 'customer.removed', entity: 'customer-account', entityId: id, partnerId: reach.partnerId, before: accountSnapshot(before) })
      return before.name
    })
  }

  private async removalReasons(trx: DbOrTrx, accountId: string): Promise<string[]> {
    const reasons: string[] = []
    for (const check of this.removalChecks) {
      const reason = await check(trx, accountId)
      if (reason) reasons.push(reason)
    }
    return reasons
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
    await audit(trx, actor, { action: 'customer.created', entity: 'customer-account', entityId: account.id, partnerId, after: accountSnapshot(account) })
    return account.id
  }

  // Contacts

  async listContacts(viewer: PartnerViewer, filter: repo.ContactFilter, limit: number) {
    const rows = await repo.listContacts(this.deps.db, this.reach(viewer), filter, limit + 1)
    return toPage(rows, limit, (c) => ({ key: c.sort_key, id: c.id }))
  }

  async contact(viewer: PartnerViewer, id: string) {
    const contact = await repo.findContact(this.deps.db, this.reach(viewer), id)
    if (!contact) throw new NotFound('The contact')
    return contact
  }

  /** An account the viewer reaches, for a contact to join; any other id answers 404 like a missing account. */
  private async targetAccount(trx: DbOrTrx, reach: repo.Reach, accountId: string) {
    const account = await repo.lockAccount(trx, reach, accountId)
    if (!account) throw new NotFound('The customer account')
    return account
  }

  async createContact(viewer: PartnerViewer, form: Static<typeof ContactForm>, submission?: Submission<ContactRow>): Promise<ContactRow> {
    const reach = this.reach(viewer)
    this.permit(viewer, 'create')
    return this.deps.db.transaction().execute(async (trx) => {
      const account = form.account_id ? await this.targetAccount(trx, reach, form.account_id) : null
      const contact = await repo.insertContact(trx, { ...toContactFields(form), partner_id: reach.partnerId, account_id: account?.id ?? null, owner_id: viewer.id })
      await audit(trx, viewer, { action: 'contact.created', entity: 'customer-contact', entityId: contact.id, partnerId: reach.partnerId, after: contactSnapshot(contact) })
      await submission?.record(trx, contact)
      return contact
    })
  }

  async updateContact(viewer: PartnerViewer, id: string, form: Static<typeof ContactForm>): Promise<void> {
    await this.changeContact(viewer, id, 'contact.updated', async (trx, reach) => {
      const account = form.account_id ? await this.targetAccount(trx, reach, form.account_id) : null
      return { ...toContactFields(form), account_id: account?.id ?? null }
    })
  }

  /** Moves the contact to another of the partner's accounts (also: associates a loose contact). */
  async moveContact(viewer: PartnerViewer, id: string, accountId: string): Promise<void> {
    await this.changeContact(viewer, id, 'contact.moved', async (trx, reach) => ({ account_id: (await this.targetAccount(trx, reach, accountId)).id }))
  }

  async dissociateContact(viewer: PartnerViewer, id: string): Promise<void> {
    await this.changeContact(viewer, id, 'contact.dissociated', async () => ({ account_id: null }))
  }

  private async changeContact(viewer: PartnerViewer, id: string, auditAction: string,
    changes: (trx: DbOrTrx, reach: repo.Reach) => Promise<Parameters<typeof repo.updateContact>[3]>): Promise<void> {
    const reach = this.reach(viewer)
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.findContact(trx, reach, id)
      if (!before) throw new NotFound('The contact')
      this.permit(viewer, 'edit')
      const after = await repo.updateContact(trx, reach, id, await changes(trx, reach))
      if (before.account_id && after.account_id !== before.account_id) await repo.clearPrimaryContact(trx, reach.partnerId, id)
      await audit(trx, viewer, { action: auditAction, entity: 'customer-contact', entityId: id, partnerId: reach.partnerId, before: contactSnapshot(before), after: contactSnapshot(after) })
    })
  }

  async removeContact(viewer: PartnerViewer, id: string): Promise<ContactRow> {
    const reach = this.reach(viewer)
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.findContact(trx, reach, id)
      if (!before) throw new NotFound('The contact')
      this.permit(viewer, 'delete')
      await repo.deleteContact(trx, reach, id)
      await audit(trx, viewer, { action: 'contact.removed', entity: 'customer-contact', entityId: id, partnerId: reach.partnerId, before: contactSnapshot(before) })
      return before
    })
  }

  // CSV import: the upload stores the parsed file; jobs check it a chunk at a time into a preview,
  // then, once the person chooses to import, save it a chunk at a time. Each chunk commits with its
  // progress, so the page shows how far it has got and a crash repeats one chunk only.

  async createImport(viewer: PartnerViewer, fileName: string, records: string[][], submission?: Submission): Promise<string> {
    const reach = this.reach(viewer)
    this.permit(viewer, 'create')
    if (records.length === 0) throw new Invalid({ file: 'The file holds no rows under its header line.' })
    return this.deps.db.transaction().execute(async (trx) => {
      const id = await repo.insertImport(trx, {
        partner_id: reach.partnerId, created_by: viewer.id, created_by_name: viewer.name, file_name: fileName.slice(0, 200) || 'pasted.csv', records
      })
      await this.nextChunk(trx, id)
      await submission?.record(trx, id)
      return id
    })
  }

  async importRecord(viewer: PartnerViewer, id: string) {
    const reach = this.reach(viewer)
    const record = await repo.findImport(this.deps.db, reach.partnerId, id)
    if (!record || (reach.ownerId && record.created_by !== reach.ownerId)) throw new NotFound('The import')
    return record
  }

  /** The import and, while it waits in its preview, its first valid rows and the errors of its first refused rows. */
  async importDetails(viewer: PartnerViewer, id: string) {
    const record = await this.importRecord(viewer, id)
    if (record.status !== 'preview') return { ...record, first_rows: [], errors: [] }
    const firstRows = await repo.validLines(this.deps.db, id, 10)
    const refused = await repo.lineErrors(this.deps.db, id, 200)
    return {
      ...record,
      first_rows: firstRows.map((l) => ({ line: l.line, ...l.fields })),
      errors: refused.flatMap((l) => l.errors.map((e) => ({ line: l.line, ...e })))
    }
  }

  /** A file with errors imports nothing unless the person chose to import only its valid rows. */
  async startImport(viewer: PartnerViewer, id: string, onlyValid: boolean): Promise<void> {
    const record = await this.importRecord(viewer, id)
    this.permit(viewer, 'create')
    if (record.status === 'checking') throw new Conflict('The file is still being checked; you can import it once the preview is ready.')
    if (record.status !== 'preview') throw new Conflict('This import has already been started.')
    const refused = record.total_rows - record.valid_rows
    if (refused > 0 && !onlyValid) {
      throw new Conflict(`The file has ${refused} row(s) with errors, so nothing was imported. Correct the file and upload it again, or import only the valid rows.`)
    }
    if (record.valid_rows === 0) throw new Conflict('No row of this file is valid, so there is nothing to import.')
    await this.deps.db.transaction().execute(async (trx) => {
      if (!(await repo.startImport(trx, viewer.partnerId, id, onlyValid))) throw new Conflict('This import has already been started.')
      await this.nextChunk(trx, id)
    })
  }

  private async nextChunk(trx: DbOrTrx, importId: string): Promise<void> {
    await this.deps.jobs.enqueue(trx, importJob, { importId })
  }

  /**
   * The job: checks or imports the next chunk of the file. When a chunk fails on the job's last
   * attempt, it is undone and the import fails, taking back what it had added, so no file is left
   * half imported.
   */
  async advanceImport(trx: DbOrTrx, importId: string, lastAttempt: boolean): Promise<void> {
    const record = await repo.lockImport(trx, importId)
    if (!record || (record.status !== 'checking' && record.status !== 'importing')) return
    await repo.beginChunk(trx)
    try {
      await (record.status === 'checking' ? this.checkChunk(trx, record) : this.importChunk(trx, record))
    } catch (err) {
      await repo.undoChunk(trx)
      if (!lastAttempt) throw err
      await this.failImport(trx, record, err)
    }
  }

  private async checkChunk(trx: DbOrTrx, record: ImportSummary): Promise<void> {
    const lines = checkRecords(await repo.importRecords(trx, record.id, record.checked_rows, checkChunk), record.checked_rows)
    await repo.insertLines(trx, record.id, lines)
    const checked = record.checked_rows + lines.length
    const progress = { checked_rows: checked, valid_rows: record.valid_rows + lines.filter((l) => l.fields).length }
    const done = checked >= record.total_rows
    await repo.updateImport(trx, record.id, done ? { ...progress, status: 'preview', records: null } : progress)
    if (!done) await this.nextChunk(trx, record.id)
  }

  /**
   * Rows naming an account the partner already has (by domain, else by name) join it, including
   * accounts an earlier chunk of this file added; the others add it.
   */
  private async importChunk(trx: DbOrTrx, record: ImportSummary): Promise<void> {
    const lines = await repo.validLines(trx, record.id, importChunk)
    const keyOf = (a: AccountFields) => (a.domain ? `d:${a.domain}` : `n:${nameKey(a.name)}`)
    const accountIds = new Map<string, string>()
    const domains = [...new Set(lines.flatMap(({ fields }) => (fields.account.domain ? [fields.account.domain] : [])))]
    const nameKeys = [...new Set(lines.flatMap(({ fields }) => (fields.account.domain ? [] : [nameKey(fields.account.name)])))]
    for (const existing of await repo.accountsMatching(trx, { partnerId: record.partner_id, ownerId: null }, domains, nameKeys)) {
      const key = existing.domain ? `d:${existing.domain}` : `n:${existing.name_key}`
      if (!accountIds.has(key)) accountIds.set(key, existing.id)
    }

    const newAccounts = new Map<string, AccountInsert>()
    for (const { fields: { account } } of lines) {
      const key = keyOf(account)
      if (!accountIds.has(key) && !newAccounts.has(key)) {
        newAccounts.set(key, { ...account, name_key: nameKey(account.name), partner_id: record.partner_id, owner_id: record.created_by, import_id: record.id })
      }
    }
    if (newAccounts.size) {
      const keys = [...newAccounts.keys()]
      for (const [i, { id }] of (await repo.insertAccounts(trx, [...newAccounts.values()])).entries()) accountIds.set(keys[i]!, id)
    }
    const contacts: ContactInsert[] = lines.flatMap(({ fields }) => (fields.contact
      ? [{ ...fields.contact, partner_id: record.partner_id, account_id: accountIds.get(keyOf(fields.account))!, owner_id: record.created_by, import_id: record.id }]
      : []))
    if (contacts.length) await repo.insertContacts(trx, contacts)

    const imported = record.imported_rows + lines.length
    const progress = { imported_rows: imported, accounts_created: record.accounts_created + newAccounts.size, contacts_created: record.contacts_created + contacts.length }
    if (imported < record.valid_rows) {
      await repo.deleteLines(trx, record.id, lines.at(-1)!.line)
      await repo.updateImport(trx, record.id, progress)
      await this.nextChunk(trx, record.id)
      return
    }
    await repo.deleteLines(trx, record.id)
    await repo.updateImport(trx, record.id, { ...progress, status: 'done', finished_at: new Date() })
    await audit(trx, importer(record), {
      action: 'customers.imported', entity: 'customer-import', entityId: record.id, partnerId: record.partner_id,
      after: { file: record.file_name, rows: imported, skipped_rows: record.total_rows - imported, accounts: progress.accounts_created, contacts: progress.contacts_created }
    })
  }

  /**
   * Takes back what the import added. An account another module now holds records of (an
   * opportunity registered for it meanwhile) is kept, with its contacts.
   */
  private async failImport(trx: DbOrTrx, record: ImportSummary, err: unknown): Promise<void> {
    const kept: string[] = []
    let removed = { accounts: 0, contacts: 0 }
    if (record.status === 'importing') {
      for (const id of await repo.importedAccountIds(trx, record.id)) if ((await this.removalReasons(trx, id)).length) kept.push(id)
      removed = await repo.removeImported(trx, record.id, kept)
    }
    const failure = record.status === 'checking'
      ? `Checking the file stopped at row ${count(record.checked_rows + 2)} because of an error on our side. Nothing was saved.`
      : `Saving the rows failed after ${count(record.imported_rows)} of ${count(record.valid_rows)}, because of an error on our side, so the import stopped and ` +
        (kept.length ? `everything it had added was removed except ${count(kept.length)} account(s) that opportunities or other records now use.` : 'everything it had added was removed.')
    await repo.deleteLines(trx, record.id)
    await repo.updateImport(trx, record.id, { status: 'failed', failure, records: null, finished_at: new Date() })
    await audit(trx, importer(record), {
      action: 'customers.import-failed', entity: 'customer-import', entityId: record.id, partnerId: record.partner_id,
      after: { file: record.file_name, error: err instanceof Error ? err.message : String(err), removed_accounts: removed.accounts, removed_contacts: removed.contacts, kept_accounts: kept }
    })
  }

  // Staff: every partner's customers

  /** Partner names by id, for staff pages that list customers of many partners. */
  private async partnerNames(ids: string[]): Promise<Map<string, string>> {
    const partners = await this.deps.partners.partnerNames({ ids: [...new Set(ids)] })
    return new Map(partners.map((p) => [p.id, p.name]))
  }

  async listAllAccounts(filter: repo.StaffAccountFilter, limit: number) {
    const page = toPage(await repo.listAllAccounts(this.deps.db, filter, limit + 1), limit, (a) => ({ key: a.name, id: a.id }))
    const names = await this.partnerNames(page.items.map((a) => a.partner_id))
    return { ...page, items: page.items.map((a) => ({ ...a, partner_name: names.get(a.partner_id) ?? '' })) }
  }

  async accountForStaff(id: string) {
    const account = await repo.findAccountForStaff(this.deps.db, id)
    if (!account) throw new NotFound('The customer account')
    const partner = await this.deps.partners.partner(this.deps.db, account.partner_id)
    return { ...account, partner_name: partner.name }
  }

  contactsForStaff(accountId: string) {
    return repo.contactsOfAccountForStaff(this.deps.db, accountId)
  }

  /** For conflict detection between partners; never shown to partners. */
  accountsWithDomain(domain: string, exceptPartnerId?: string) {
    return repo.accountsWithDomain(this.deps.db, domain.toLowerCase(), exceptPartnerId)
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
      const partner = await this.deps.partners.partner(trx, partnerId).catch(() => {
        throw new Invalid({ partner_id: 'Choose an active partner.' })
      })
      if (partner.status !== 'active') throw new Invalid({ partner_id: 'Choose an active partner.' })
      if (partner.id === before.partner_id) throw new Invalid({ partner_id: 'The customer is already with this partner.' })
      await repo.moveAccountToPartner(trx, id, partnerId)
      await audit(trx, actor, {
        action: 'customer.reassigned', entity: 'customer-account', entityId: id, partnerId,
        before: { partner_id: before.partner_id, owner_id: before.owner_id }, after: { partner_id: partnerId, owner_id: null }
      })
      return { name: before.name, partner: partner.name }
    })
  }
}
