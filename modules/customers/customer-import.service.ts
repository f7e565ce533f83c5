import type { PartnerViewer } from '../../core/identity/access.ts'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import { EventRefused, type EventBus } from '../../core/background/events/events.ts'
import type { JobRunner } from '../../core/background/jobs/job-runner.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import { customerReach, permitCustomers } from './customer-access.ts'
import { checkRecords } from './customer-csv.ts'
import * as repo from './customers.repository.ts'
import { nameKey } from './customers.schemas.ts'
import type { CustomersService } from './customers.service.ts'
import type { AccountFields, AccountInsert, ContactInsert } from './customers.table.ts'

export const importJob = 'customers.import'
const checkChunk = 1000
const importChunk = 500

type ImportSummary = NonNullable<Awaited<ReturnType<typeof repo.lockImport>>>

const count = (n: number) => n.toLocaleString('en-US')
const importer = (record: ImportSummary): Actor =>
  (record.created_by ? { id: record.created_by, name: record.created_by_name } : { id: null, name: record.created_by_name })

/**
 * CSV import: the upload stores the parsed file; jobs check it a chunk at a time into a preview,
 * then, once the person chooses to import, save it a chunk at a time. Each chunk commits with its
 * progress, so the page shows how far it has got and a crash repeats one chunk only.
 */
export class CustomerImportService {
  constructor(private readonly deps: { db: Db; jobs: JobRunner; events: EventBus; customers: CustomersService }) {}

  async create(viewer: PartnerViewer, fileName: string, records: string[][], submission?: Submission): Promise<string> {
    const reach = customerReach(viewer)
    permitCustomers(viewer, 'create')
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

  async record(viewer: PartnerViewer, id: string) {
    const reach = customerReach(viewer)
    const record = await repo.findImport(this.deps.db, reach.partnerId, id)
    if (!record || (reach.ownerId && record.created_by !== reach.ownerId)) throw new NotFound('The import')
    return record
  }

  /** The import and, while it waits in its preview, its first valid rows and the errors of its first refused rows. */
  async details(viewer: PartnerViewer, id: string) {
    const record = await this.record(viewer, id)
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
  async start(viewer: PartnerViewer, id: string, onlyValid: boolean): Promise<void> {
    const record = await this.record(viewer, id)
    permitCustomers(viewer, 'create')
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
  async advance(trx: DbOrTrx, importId: string, lastAttempt: boolean): Promise<void> {
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
      const inserted = [...newAccounts.values()]
      for (const [i, { id }] of (await repo.insertAccounts(trx, inserted)).entries()) {
        accountIds.set(keys[i]!, id)
        await this.deps.events.emit(trx, 'customer.created', id, { accountId: id, partnerId: record.partner_id, name: inserted[i]!.name, source: 'import', by: record.created_by })
      }
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
      for (const account of await repo.importedAccounts(trx, record.id)) {
        await this.deps.customers.announceRemoval(trx, importer(record), account).catch((err: unknown) => {
          if (!(err instanceof EventRefused)) throw err
          kept.push(account.id)
        })
      }
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
}
