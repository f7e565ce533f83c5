import type { Static } from 'typebox'
import type { ChannelPermissions } from '../../core/identity/access.ts'
import { audit, systemActor, type Actor } from '../../core/data/audit/audit.service.ts'
import type { RawBuilder, Transaction } from 'kysely'
import type { Database, Db, DbOrTrx } from '../../core/data/database.ts'
import { countriesOf } from '../../core/lib/countries.ts'
import { domainOf } from '../../core/lib/domains.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import type { EventBus } from '../../core/background/events/events.ts'
import type { Mailer } from '../../core/background/mail/mailer.ts'
import type { PageLoader } from '../../core/web/page-loader.ts'
import { pageSize, toPage } from '../../core/lib/pagination.ts'
import { pickerOf, pickerOfMany, pickerSize, pickerText, type Choice, type Picker } from '../../core/lib/pickers.ts'
import { isId } from '../../core/lib/validation.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import type { PartnerUsersService } from '../../core/identity/users/partner-users.service.ts'
import { teamSummaryQuery, type TeamSummary } from '../../core/identity/users/users.repository.ts'
import type { UsersService } from '../../core/identity/users/users.service.ts'
import './partners.events.ts'
import { toApplication } from './partners.resource.ts'
import { staffPages } from './staff-pages.repository.ts'
import * as repo from './partners.repository.ts'
import { checkChoices, type ApplicationForm, type CompanyForm, type StaffPartnerForm } from './partners.schemas.ts'
import type { PartnerRow, PartnerStatus } from './partners.table.ts'

type Deps = { db: Db; users: UsersService; partnerUsers: PartnerUsersService; mailer: Mailer; events: EventBus }

/** How many of the team the partner home names. */
const teamShown = 5

/** The company's web domain is known already and "Apply anyway" is not ticked: the form asks before applying. */
/** A partner as a picker lists it: its name, with its domain and place to tell namesakes apart. */
const partnerChoice = (p: { id: string; name: string; domain: string | null; city: string | null; country: string }): Choice =>
  ({ id: p.id, label: p.name, detail: [p.domain, [p.city, p.country].filter(Boolean).join(', ')].filter(Boolean).join(' · ') })

export class KnownDomain extends Conflict {
  constructor(readonly duplicates: Awaited<ReturnType<typeof repo.partnersWithDomain>>) {
    super('Your company may already be with us.')
  }
}

const snapshot = (p: PartnerRow) => ({
  name: p.name, website: p.website, phone: p.phone, address: p.address, city: p.city, postal_code: p.postal_code,
  country: p.country, territories: p.territories, expertise: p.expertise, level_id: p.level_id, status: p.status,
  capacity: p.capacity, listed: p.listed, summary: p.summary
})

/** Partner management: applications, decisions, company profiles, levels and the program page. */
export class PartnersService {
  constructor(private readonly deps: Deps) {}

  async partner(id: string, db: DbOrTrx = this.deps.db) {
    const partner = await repo.findPartner(db, id)
    if (!partner) throw new NotFound('The partner')
    return partner
  }

  /** Names for other modules' labels and pickers, e.g. { status: 'active' } or { ids }. */
  partnerNames(filter: { ids?: string[]; status?: PartnerStatus }) {
    return repo.partnerNames(this.deps.db, filter)
  }

  /**
   * A staff picker of partners: the first matching q by name or domain (active ones only when `active`), leaving out
   * `exceptIds`; the chosen one stays listed. A chosen id that is no partner chooses nothing. With `typed`, nothing
   * is listed but the chosen one until a name is typed: for a page that must stay light, such as a filter.
   */
  async partnerPicker(q: unknown, chosenId: unknown, f: { active?: boolean; exceptIds?: string[]; typed?: boolean } = {}): Promise<Picker> {
    const text = pickerText(q)
    const found = f.typed && !text ? [] : await repo.searchPartnerNames(this.deps.db, text, pickerSize + 1, { status: f.active ? 'active' : undefined, exceptIds: f.exceptIds })
    const named = isId(chosenId) ? await repo.findPartner(this.deps.db, chosenId) : undefined
    return pickerOf(text, found.map(partnerChoice), named ? partnerChoice(named) : null)
  }

  /** A staff form's picker of several active partners: the chosen ones first, ticked, then the first matches for q. */
  async partnersPicker(q: unknown, chosenIds: unknown): Promise<Picker> {
    const text = pickerText(q)
    const ids = [chosenIds ?? []].flat().filter(isId).slice(0, 500)
    const [found, chosen] = await Promise.all([
      repo.searchPartnerNames(this.deps.db, text, pickerSize + 1, { status: 'active', exceptIds: ids }),
      ids.length ? repo.searchPartnerNames(this.deps.db, '', ids.length, { ids }) : []
    ])
    return pickerOfMany(text, found.map(partnerChoice), chosen.map(partnerChoice))
  }

  /**
   * partnersPicker read with a page's other values, in the same round trip: `chosen` is the ids the form sent,
   * or, where it sent none, a query of those the record keeps.
   */
  async partnersPickerOn(load: PageLoader, q: unknown, chosen: unknown, kept: RawBuilder<string[]>): Promise<Picker> {
    const text = pickerText(q)
    const sent = chosen === undefined ? undefined : [chosen].flat().filter(isId).slice(0, 500)
    const [found, picked] = await Promise.all([
      load('partners.picker.found', () => sent
        ? repo.partnerNamesValue(this.deps.db, text, pickerSize + 1, { status: 'active', exceptIds: sent })
        : repo.partnerNamesValue(this.deps.db, text, pickerSize + 1, { status: 'active', exceptIn: kept })),
      load('partners.picker.chosen', () => sent
        ? repo.partnerNamesValue(this.deps.db, '', 500, { ids: sent })
        : repo.partnerNamesValue(this.deps.db, '', 500, { idsIn: kept }))
    ])
    return pickerOfMany(text, found.map(partnerChoice), picked.map(partnerChoice))
  }

  /** The names of the partners among `ids` (a query of ids), read with a page's other values. */
  async namesOn(load: PageLoader, key: string, ids: RawBuilder<string[]>): Promise<Map<string, string>> {
    return new Map((await load(key, () => repo.partnerNamesIn(ids))).map((p) => [p.id, p.name]))
  }

  /** The levels' ids and names by rank, read with a page's other values. */
  levelChoices(load: PageLoader): Promise<Array<{ id: string; name: string }>> {
    return load('partners.levels', repo.levelChoicesValue)
  }

  /** What the partner home shows of the company, read with the page's other values. */
  summary(load: PageLoader, partnerId: string): Promise<repo.PartnerSummary> {
    return load('partner', () => repo.partnerSummaryQuery(partnerId))
  }

  /** The company's people at a glance, for the partner home. */
  teamSummary(load: PageLoader, partnerId: string): Promise<TeamSummary> {
    return load('team', () => teamSummaryQuery(partnerId, teamShown))
  }

  /** The public directory: active partners that chose to be listed, a page by name after `after`. */
  async directory(filter: Omit<repo.PartnerFilter, 'status' | 'listedOnly' | 'limit'>) {
    return this.list({ ...filter, status: 'active', listedOnly: true })
  }

  /** Every partner, for staff, a page by name after `after`. */
  async list(filter: Omit<repo.PartnerFilter, 'limit'>, size = pageSize) {
    return toPage(await repo.listPartners(this.deps.db, { ...filter, limit: size + 1 }), size, (p) => ({ name: p.name, id: p.id }))
  }

  /**
   * A company applies: territories and expertise must come from the program's lists, and a company
   * whose web domain is known already (a partner or an earlier application) applies only when it
   * says so (KnownDomain); the application is then marked as a possible duplicate for staff.
   */
  async apply(form: Static<typeof ApplicationForm>, submission?: Submission) {
    return this.deps.db.transaction().execute(async (trx) => {
      checkChoices(form, (await repo.getProgram(trx)).expertise_options)
      const domain = domainOf(form.website)
      const duplicates = domain ? await repo.partnersWithDomain(trx, domain) : []
      if (duplicates.length > 0 && !form.apply_anyway) throw new KnownDomain(duplicates)
      const partner = await repo.insertPartner(trx, {
        name: form.company_name, domain, website: form.website, phone: form.company_phone || null,
        address: form.address || null, city: form.city || null, postal_code: form.postal_code || null,
        country: form.country, territories: form.territories, expertise: form.expertise, company_size: form.company_size
      })
      const user = await this.deps.users.createWithPassword(trx, systemActor, {
        email: form.email, name: form.name, phone: form.phone || null, jobTitle: form.job_title || null, password: form.password,
        kind: 'partner', role: 'admin', partnerId: partner.id, partnerStatus: 'applied'
      }).catch((err: unknown) => {
        if (err instanceof Conflict) throw new Invalid({ email: 'An account with this e-mail already exists. Sign in instead.' })
        throw err
      })
      const application = await repo.insertApplication(trx, { partner_id: partner.id, applicant_id: user.id, possible_duplicate: duplicates.length > 0 })
      await audit(trx, { id: user.id, name: user.name }, { action: 'partner.applied', entity: 'partner', entityId: partner.id, partnerId: partner.id, after: snapshot(partner) })
      await this.deps.events.emit(trx, 'partner.applied', partner.id, { partnerId: partner.id, applicationId: application.id, by: user.id })
      await this.deps.mailer.send(trx, {
        to: user.email,
        subject: `We received ${partner.name}'s partner application`,
        body: `Hello ${user.name},\n\nThank you for applying to the partner program. Our team reviews applications within a few working days.\n` +
          `You can sign in at any time to see where it stands:\n\n${this.deps.mailer.link('/portal/application')}\n`
      })
      await submission?.record(trx, application.id)
      return { partner, user, application }
    })
  }

  async application(id: string) {
    const application = await repo.findApplication(this.deps.db, id)
    if (!application) throw new NotFound('The application')
    return application
  }

  /** A company's application as the API shows it, or null: what a webhook carries. */
  async applicationResource(partnerId: string, db: DbOrTrx = this.deps.db) {
    const application = await repo.findApplicationOfPartner(db, partnerId)
    return application ? toApplication(application) : null
  }

  /** A partner's page, read together with the levels and expertise its form offers. */
  async partnerPage(load: PageLoader, id: string) {
    const [page, levels, expertiseOptions] = await Promise.all([
      load('partner', () => staffPages.partner(id)), load('levels', staffPages.levels), load('expertise', staffPages.expertiseOptions)
    ])
    if (!page) throw new NotFound('The partner')
    return { ...page, levels, expertiseOptions }
  }

  /** An application's page, read together with the levels its approval offers; its company's history is a record of its own. */
  async applicationPage(load: PageLoader, id: string) {
    const [page, levels] = await Promise.all([load('application', () => staffPages.application(id)), load('levels', staffPages.levels)])
    if (!page) throw new NotFound('The application')
    if (!page.applicant) throw new NotFound('The person')
    return { ...page, applicant: page.applicant, levels }
  }

  applicationOfPartner(partnerId: string) {
    return repo.findApplicationOfPartner(this.deps.db, partnerId)
  }

  /** Applications for staff, a page in the chosen order after `after`. */
  async applications(filter: Omit<repo.ApplicationFilter, 'limit'>, size = pageSize) {
    const rows = await repo.listApplications(this.deps.db, { ...filter, limit: size + 1 })
    return toPage(rows, size, (a) => ({ key: filter.sort === 'company' ? a.company : a.submitted_key, id: a.id }))
  }

  /**
   * What the applications page shows beside its list, read together: applications by status and
   * age, per week over the last `weeks` weeks, pending ones by country; the countries its filters
   * offer (with the chosen ones) and the program's expertise options.
   */
  async recruitment(load: PageLoader, weeks: number, chosen: { country: string; territory: string }) {
    const [summary, weekly, byCountry, used, expertiseOptions] = await Promise.all([
      this.applicationSummary(load), load('weekly', () => staffPages.weekly(weeks)), load('by-country', staffPages.byCountry),
      load('countries', staffPages.countriesInUse), load('expertise', staffPages.expertiseOptions)
    ])
    return {
      ...summary, weekly: weekly.map((w) => ({ week: new Date(w.week), count: w.count })), byCountry, expertiseOptions,
      countries: countriesOf([...used.countries, chosen.country]), territories: countriesOf([...used.territories, chosen.territory])
    }
  }

  /** Applications by status and the pending ones by age, read with the page's other values. */
  applicationSummary(load: PageLoader): Promise<repo.ApplicationSummary> {
    return load('applications', repo.applicationSummaryQuery)
  }

  private async pendingApplication(trx: DbOrTrx, id: string) {
    const application = await repo.lockApplication(trx, id)
    if (!application) throw new NotFound('The application')
    if (application.status !== 'pending') {
      throw new Conflict(`This application was already ${application.status} on ${application.decided_at?.toISOString().slice(0, 10)}; it cannot be decided again.`)
    }
    return application
  }

  async approve(actor: Actor & { id: string }, applicationId: string, levelId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const application = await this.pendingApplication(trx, applicationId)
      const level = await repo.findLevel(trx, levelId)
      if (!level) throw new Invalid({ level_id: 'Choose one of the partner levels.' })
      const before = await repo.findPartnerForUpdate(trx, application.partner_id)
      const partner = await repo.updatePartner(trx, application.partner_id, { status: 'active', level_id: level.id, approved_at: new Date() })
      await this.deps.partnerUsers.setCompanyStatus(trx, partner.id, 'active', false)
      await repo.decideApplication(trx, applicationId, { status: 'approved', decidedBy: actor.id, reason: null })
      await audit(trx, actor, { action: 'partner.approved', entity: 'partner', entityId: partner.id, partnerId: partner.id, before: before && snapshot(before), after: snapshot(partner) })
      await this.deps.events.emit(trx, 'partner.approved', partner.id, { partnerId: partner.id, levelId: level.id, by: actor.id })
      const applicant = await this.deps.partnerUsers.member(partner.id, application.applicant_id, trx)
      await this.deps.mailer.send(trx, {
        to: applicant.email,
        subject: `Welcome to the partner program, ${partner.name}`,
        body: `Hello ${applicant.name},\n\n${partner.name} is now a ${level.name} partner. You are its partner admin: ` +
          `sign in to complete your company profile and invite your colleagues.\n\n${this.deps.mailer.link('/portal')}\n`
      })
    })
  }

  async reject(actor: Actor & { id: string }, applicationId: string, reason: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const application = await this.pendingApplication(trx, applicationId)
      const before = await repo.findPartnerForUpdate(trx, application.partner_id)
      const partner = await repo.updatePartner(trx, application.partner_id, { status: 'rejected' })
      await this.deps.partnerUsers.setCompanyStatus(trx, partner.id, 'rejected', false)
      await repo.decideApplication(trx, applicationId, { status: 'rejected', decidedBy: actor.id, reason })
      await audit(trx, actor, { action: 'partner.rejected', entity: 'partner', entityId: partner.id, partnerId: partner.id, before: before && snapshot(before), after: { ...snapshot(partner), reason } })
      await this.deps.events.emit(trx, 'partner.rejected', partner.id, { partnerId: partner.id, reason, by: actor.id })
      const applicant = await this.deps.partnerUsers.member(partner.id, application.applicant_id, trx)
      await this.deps.mailer.send(trx, {
        to: applicant.email,
        subject: `Your partner application for ${partner.name}`,
        body: `Hello ${applicant.name},\n\nThank you for your interest. We are not able to accept ${partner.name} into the partner program at this time.\n\n` +
          `Reason: ${reason}\n\nYou can reply to this message if you have questions.\n`
      })
    })
  }

  async addNote(actor: Actor & { id: string }, partnerId: string, body: string, submission?: Submission): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await this.partner(partnerId, trx)
      const note = await repo.insertNote(trx, { partner_id: partnerId, author_id: actor.id, author_name: actor.name, body })
      await audit(trx, actor, { action: 'partner.note-added', entity: 'partner', entityId: partnerId, partnerId, after: { note: note.body } })
      await submission?.record(trx, note.id)
    })
  }

  notes(partnerId: string) {
    return repo.listNotes(this.deps.db, partnerId)
  }

  /**
   * The partner admin's own edit: the caller's partner id comes from their session, never the form.
   * Territories and expertise must come from the program's lists.
   */
  async updateProfile(actor: Actor, partnerId: string, form: Static<typeof CompanyForm>): Promise<void> {
    checkChoices(form, (await this.program()).expertise_options)
    await this.update(actor, partnerId, 'partner.profile-updated', {
      name: form.company_name, website: form.website, domain: domainOf(form.website), phone: form.company_phone || null,
      address: form.address || null, city: form.city || null, postal_code: form.postal_code || null, country: form.country,
      territories: form.territories, expertise: form.expertise, listed: form.listed, summary: form.summary || null
    })
  }

  async staffUpdate(actor: Actor, partnerId: string, form: Static<typeof StaffPartnerForm>): Promise<void> {
    checkChoices(form, (await this.program()).expertise_options)
    await this.update(actor, partnerId, 'partner.updated', {
      level_id: form.level_id, territories: form.territories, expertise: form.expertise, capacity: form.capacity
    }, async (trx) => {
      if (!(await repo.findLevel(trx, form.level_id))) throw new Invalid({ level_id: 'Choose one of the partner levels.' })
    })
  }

  /** Suspension ends every session of the company's people at their next request. */
  async setSuspended(actor: Actor, partnerId: string, suspended: boolean, reason?: string): Promise<void> {
    await this.update(actor, partnerId, suspended ? 'partner.suspended' : 'partner.reactivated', { status: suspended ? 'suspended' : 'active' }, async (trx, before) => {
      if (before.status !== (suspended ? 'active' : 'suspended')) {
        throw new Conflict(suspended ? 'Only an active partner can be suspended.' : 'Only a suspended partner can be reactivated.')
      }
      await this.deps.partnerUsers.setCompanyStatus(trx, partnerId, suspended ? 'suspended' : 'active', suspended)
      if (suspended) await this.deps.events.emit(trx, 'partner.suspended', partnerId, { partnerId, reason: reason ?? null, by: actor.id })
      else await this.deps.events.emit(trx, 'partner.reactivated', partnerId, { partnerId, by: actor.id })
    }, reason)
  }

  private async update(actor: Actor, partnerId: string, action: string, changes: Parameters<typeof repo.updatePartner>[2],
    check?: (trx: Transaction<Database>, before: PartnerRow) => Promise<void>, reason?: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.findPartnerForUpdate(trx, partnerId)
      if (!before) throw new NotFound('The partner')
      await check?.(trx, before)
      const after = await repo.updatePartner(trx, partnerId, changes)
      await audit(trx, actor, { action, entity: 'partner', entityId: partnerId, partnerId, before: snapshot(before), after: { ...snapshot(after), ...(reason ? { reason } : {}) } })
    })
  }

  async inviteEmployee(actor: Actor & { id: string }, partnerId: string, form: { name: string; email: string; job_title: string }, permissions: ChannelPermissions,
    submission?: Submission) {
    return this.deps.db.transaction().execute(async (trx) => {
      const partner = await this.partner(partnerId, trx)
      const user = await this.deps.users.invite(trx, actor, {
        email: form.email, name: form.name, jobTitle: form.job_title, kind: 'partner', role: 'member', partnerId, partnerStatus: partner.status,
        permissions, invitedBy: actor.name, organisation: partner.name
      })
      await this.deps.events.emit(trx, 'partner.employee-invited', partnerId, { partnerId, userId: user.id, by: actor.id })
      await submission?.record(trx, user.id)
      return user
    })
  }

  async resendInvitation(actor: Actor & { id: string }, partnerId: string, userId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const partner = await this.partner(partnerId, trx)
      const user = await this.deps.partnerUsers.member(partnerId, userId, trx)
      await this.deps.users.resendInvitation(trx, actor, user, partner.name)
    })
  }

  /**
   * The countries a staff filter of partners (or of their applications) offers, by name: those partners are in and
   * those they serve, and the one the filter has chosen.
   */
  /** The choices the staff's partner directory offers, read together: levels, expertise options, countries in use (with the chosen ones). */
  async directoryChoices(load: PageLoader, chosen: { country: string; territory: string }) {
    const [levels, expertiseOptions, used] = await Promise.all([
      load('levels', staffPages.levels), load('expertise', staffPages.expertiseOptions), load('countries', staffPages.countriesInUse)
    ])
    return {
      levels, expertiseOptions,
      countries: countriesOf([...used.countries, chosen.country]), territories: countriesOf([...used.territories, chosen.territory])
    }
  }

  // Levels and the program page (staff admins)

  levels() {
    return repo.listLevels(this.deps.db)
  }

  /** A new level (id null) or changes to one; a submission goes with a new level. */
  async saveLevel(actor: Actor, id: string | null, level: { name: string; rank: number; benefits: string }, submission?: Submission) {
    return this.deps.db.transaction().execute(async (trx) => {
      const clash = await repo.findLevelByNameOrRank(trx, level.name, level.rank, id ?? undefined)
      if (clash) {
        throw new Invalid(clash.name.toLowerCase() === level.name.toLowerCase()
          ? { name: `A level named ${clash.name} exists already.` }
          : { rank: `${clash.name} already has rank ${clash.rank}.` })
      }
      const before = id ? await repo.findLevel(trx, id) : undefined
      if (id && !before) throw new NotFound('The level')
      const saved = id ? await repo.updateLevel(trx, id, level) : await repo.insertLevel(trx, level)
      await audit(trx, actor, { action: id ? 'level.updated' : 'level.created', entity: 'level', entityId: saved.id, before, after: saved })
      await submission?.record(trx, saved.id)
      return saved
    })
  }

  async deleteLevel(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const level = (await repo.listLevels(trx)).find((l) => l.id === id)
      if (!level) throw new NotFound('The level')
      if (Number(level.partner_count) > 0) throw new Conflict(`${level.name} still has ${level.partner_count} partner(s); move them to another level first.`)
      await repo.deleteLevel(trx, id)
      await audit(trx, actor, { action: 'level.deleted', entity: 'level', entityId: id, before: level })
    })
  }

  program() {
    return repo.getProgram(this.deps.db)
  }

  /** The program page and its expertise options: one to 100 of them, each at most 100 characters, without < or >. */
  async saveProgram(actor: Actor, program: { headline: string; intro: string; expertise_options: string[] }): Promise<void> {
    const options = program.expertise_options
    const bad = options.find((o) => o.length > 100 || /[<>]/.test(o))
    if (options.length === 0) throw new Invalid({ expertise_options: 'Enter at least one expertise option.' })
    if (bad) throw new Invalid({ expertise_options: `“${bad.slice(0, 40)}” is not allowed: an option is at most 100 characters, without < or >.` })
    if (options.length > 100) throw new Invalid({ expertise_options: 'Enter at most 100 expertise options.' })
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.getProgram(trx)
      await repo.updateProgram(trx, program)
      await audit(trx, actor, { action: 'program.updated', entity: 'program', entityId: '1', before, after: program })
    })
  }
}
