import { diffWordsWithSpace } from 'diff'
import type { Static } from 'typebox'
import { audit, systemActor, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import type { JobRunner } from '../../core/background/jobs/job-runner.ts'
import type { Mailer } from '../../core/background/mail/mailer.ts'
import type { Cradle } from '../../core/container.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import { ByText } from '../../core/lib/by-text.ts'
import { toPage } from '../../core/lib/pagination.ts'
import * as repo from './knowledge.repository.ts'
import { parseTags, type ApproveForm, type ArticleForm, type AudienceForm } from './knowledge.schemas.ts'
import type { ArticleRow } from './knowledge.table.ts'
import { slugOf } from '../../core/web/markdown.ts'
import { linkedSlugs, renderArticle, type RenderedArticle } from './markdown.ts'
import * as reading from './reading.repository.ts'
import { buildTree } from './categories.service.ts'
import { articleOf, staffArticlePage } from './staff-page.repository.ts'

const changes = <V extends { title: string; body: string; tags: string[] }>(a: V, b: V) =>
  ({ from: a, to: b, title: diffWordsWithSpace(a.title, b.title), body: diffWordsWithSpace(a.body, b.body), tags: diffWordsWithSpace(a.tags.join(', '), b.tags.join(', ')) })

// The preview's Markdown was parsed and sanitised again on every view; kept by the text and the titles of the
// articles it links to, an edit or a renamed link is a new key.
const previewLinks = new ByText<string[]>(2_000_000)
const previews = new ByText<RenderedArticle>(4_000_000)

export const publishJob = 'knowledge.publish'
export const reviewDueJob = 'knowledge.review-due'

/** The staff side of articles: writing (every save a version), review, publishing, audience, versions. */
export class ArticlesService {
  constructor(private readonly deps: { db: Db; jobs: JobRunner; mailer: Mailer; partners: Cradle['partners']; pageLoader: Cradle['pageLoader'] }) {
    deps.jobs.register(publishJob, (payload, trx) => this.publishDue(trx, String(payload.articleId)))
    deps.jobs.register(reviewDueJob, (payload, trx) => this.remindReview(trx, String(payload.articleId), String(payload.reviewBy)))
  }

  async list(filter: repo.StaffArticleFilter, limit: number) {
    return toPage(await repo.listArticlesForStaff(this.deps.db, filter, limit + 1), limit, (a) => ({ key: a.updated_key, id: a.id }))
  }

  async article(id: string, db: DbOrTrx = this.deps.db): Promise<ArticleRow> {
    const article = await repo.findArticle(db, id)
    if (!article) throw new NotFound('The article')
    return article
  }

  /**
   * The staff's page of an article: its preview (links resolved as staff read them), its place in the tree, its latest
   * versions, files, acknowledgements with their companies' names, the levels and the audience's partner picker (`q`
   * and `chosen` as the form sent them, if it did) — in one round trip, and one more for the titles of the articles it links to.
   */
  async page(id: string, picker: { q?: unknown; chosen?: unknown } = {}) {
    const load = this.deps.pageLoader()
    const [row, categories, versions, attachments, acknowledgements, partnerName, levels, audience] = await Promise.all([
      load('article', () => staffArticlePage.article(id)), load('categories', staffArticlePage.categories),
      load('versions', () => staffArticlePage.versions(id, 5)), load('attachments', () => staffArticlePage.attachments(id)),
      load('acknowledgements', () => staffArticlePage.acknowledgements(id)),
      this.deps.partners.namesOn(load, 'readers', staffArticlePage.readerPartners(id)), this.deps.partners.levelChoices(load),
      this.deps.partners.partnersPickerOn(load, picker.q, picker.chosen, staffArticlePage.audiencePartners(id))
    ])
    if (!row) throw new NotFound('The article')
    const article = articleOf(row)
    const titles = await reading.titlesOf(this.deps.db, { kind: 'staff' }, previewLinks.get(article.body, () => linkedSlugs(article.body)))
    const preview = previews.get(JSON.stringify([titles, article.body]), () => renderArticle(article.body, {
      base: '/admin/knowledge/by-address', files: '/admin/knowledge', titles: new Map(titles.map((t) => [t.slug, t.title]))
    }))
    const breadcrumbs = buildTree(categories.map((c) => ({ ...c, created_at: new Date(c.created_at) }))).byId.get(article.category_id)?.path ?? []
    return { article, preview, versions, attachments, acknowledgements, partnerName, levels, picker: audience, breadcrumbs }
  }

  async bySlug(slug: string) {
    const article = await repo.findArticleBySlug(this.deps.db, slug)
    if (!article) throw new NotFound('The article')
    return article
  }

  private async content(trx: DbOrTrx, form: Static<typeof ArticleForm>, exceptId?: string): Promise<repo.ArticleContent> {
    const slug = form.slug || slugOf(form.title)
    if (!slug) throw new Invalid({ slug: 'Give the article an address (letters or digits).' })
    if (await repo.slugTaken(trx, slug, exceptId)) throw new Invalid({ slug: 'Another article has this address; choose another.' })
    if (!await repo.findCategory(trx, form.category_id)) throw new Invalid({ category_id: 'Choose a category.' })
    return { slug, title: form.title, body: form.body, category_id: form.category_id, tags: parseTags(form.tags) }
  }

  /** A new article, a draft, and its first version. */
  async create(actor: Actor, form: Static<typeof ArticleForm>): Promise<ArticleRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const content = await this.content(trx, form)
      const article = await repo.insertArticle(trx, content, actor)
      await repo.insertVersion(trx, article.id, 1, content, { note: form.note || 'First version', material: false, author: actor })
      await audit(trx, actor, { action: 'knowledge.article-created', entity: 'knowledge-article', entityId: article.id, after: { title: content.title } })
      return article
    })
  }

  /** Saves the article as a new version; a published article changes for its readers at once. */
  async update(actor: Actor, id: string, form: Static<typeof ArticleForm>): Promise<ArticleRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockArticle(trx, id)
      if (!before) throw new NotFound('The article')
      if (before.status === 'archived') throw new Conflict('An archived article cannot be edited; return it to draft first.')
      const content = await this.content(trx, form, id)
      return this.saveVersion(trx, actor, before, content, form.note || 'Edited', form.material)
    })
  }

  private async saveVersion(trx: DbOrTrx, actor: Actor, before: ArticleRow, content: repo.ArticleContent, note: string, material: boolean) {
    const version = before.version + 1
    const article = await repo.updateArticleContent(trx, before.id, content, { version, material })
    await repo.insertVersion(trx, before.id, version, content, { note, material, author: actor })
    await audit(trx, actor, { action: 'knowledge.article-saved', entity: 'knowledge-article', entityId: before.id, after: { version, note, material } })
    return article
  }

  /** Draft → in review. */
  async submit(actor: Actor, id: string): Promise<ArticleRow> {
    return this.transition(actor, id, ['draft'], 'knowledge.article-submitted', () => ({ status: 'review', submitted_by: actor.id, review_comment: null }))
  }

  /**
   * In review → published, now or at `publish_at` (then scheduled, published by a job). Someone
   * other than the one who sent it for review approves.
   */
  async approve(actor: Actor, id: string, form: Static<typeof ApproveForm>, now = new Date()): Promise<ArticleRow> {
    const at = form.publish_at ? new Date(`${form.publish_at}:00Z`) : null
    if (at && Number.isNaN(at.getTime())) throw new Invalid({ publish_at: 'Publish at must be a date and time.' })
    return this.deps.db.transaction().execute(async (trx) => {
      const article = await this.transitionIn(trx, actor, id, ['review'], 'knowledge.article-approved', (before) => {
        if (before.submitted_by === actor.id) throw new Conflict('Someone else reviews what you sent for review.')
        return at && at > now ? { status: 'scheduled' as const, publish_at: at } : { status: 'published' as const, published_at: now, publish_at: null }
      })
      if (article.status === 'scheduled') await this.deps.jobs.enqueue(trx, publishJob, { articleId: id }, at!)
      return article
    })
  }

  /** In review → draft, with the reviewer's comment for the author. */
  async sendBack(actor: Actor, id: string, comment: string): Promise<ArticleRow> {
    return this.transition(actor, id, ['review'], 'knowledge.article-sent-back', (before) => {
      if (before.submitted_by === actor.id) throw new Conflict('Someone else reviews what you sent for review.')
      return { status: 'draft', review_comment: comment }
    })
  }

  async archive(actor: Actor, id: string): Promise<ArticleRow> {
    return this.transition(actor, id, ['draft', 'review', 'scheduled', 'published'], 'knowledge.article-archived', () => ({ status: 'archived', publish_at: null }))
  }

  /** Archived or scheduled → draft again. */
  async reopen(actor: Actor, id: string): Promise<ArticleRow> {
    return this.transition(actor, id, ['archived', 'scheduled'], 'knowledge.article-reopened', () => ({ status: 'draft', publish_at: null }))
  }

  /** Who reads it, whether it is required reading and when it is due for review: no new version. */
  async setAudience(actor: Actor, id: string, form: Static<typeof AudienceForm>): Promise<ArticleRow> {
    if (form.audience === 'levels' && !form.audience_level_id) throw new Invalid({ audience_level_id: 'Choose the lowest level that reads it.' })
    if (form.audience === 'companies' && form.audience_partner_ids.length === 0) throw new Invalid({ audience_partner_ids: 'Choose at least one partner.' })
    if (form.audience === 'levels' && !(await this.deps.partners.levels()).some((l) => l.id === form.audience_level_id)) {
      throw new Invalid({ audience_level_id: 'Choose a partner level.' })
    }
    const partnerIds = form.audience === 'companies' ? [...new Set(form.audience_partner_ids)] : []
    if (partnerIds.length && (await this.deps.partners.partnerNames({ ids: partnerIds })).length !== partnerIds.length) {
      throw new Invalid({ audience_partner_ids: 'Choose partners from the list.' })
    }
    const reviewBy = form.review_by ? new Date(`${form.review_by}T00:00:00Z`) : null
    return this.deps.db.transaction().execute(async (trx) => {
      let reviewDateChanged = false
      const article = await this.transitionIn(trx, actor, id, ['draft', 'review', 'scheduled', 'published', 'archived'], 'knowledge.audience-changed', (before) => {
        reviewDateChanged = before.review_by?.getTime() !== reviewBy?.getTime()
        return {
          audience: form.audience, audience_level_id: form.audience === 'levels' ? form.audience_level_id : null, audience_partner_ids: partnerIds,
          required: form.required, review_by: reviewBy
        }
      })
      if (reviewBy && reviewDateChanged) await this.deps.jobs.enqueue(trx, reviewDueJob, { articleId: id, reviewBy: form.review_by }, reviewBy)
      return article
    })
  }

  /** The job on an article's review date: its author is e-mailed, unless the date moved or the article was archived since. */
  async remindReview(trx: DbOrTrx, id: string, reviewBy: string): Promise<void> {
    const due = await repo.reviewDue(trx, id, reviewBy)
    if (!due?.author_email) return
    await this.deps.mailer.send(trx, {
      to: due.author_email,
      subject: `Review due: ${due.title}`,
      body: `Hello ${due.author_name},\n\nThe knowledge article “${due.title}” is due for review today. Check that it is still right, then save it with a new review date.\n\n${this.deps.mailer.link(`/admin/knowledge/articles/${id}`)}\n`
    })
  }

  private transition(actor: Actor, id: string, from: ArticleRow['status'][], action: string,
    changes: (before: ArticleRow) => repo.ArticleChanges): Promise<ArticleRow> {
    return this.deps.db.transaction().execute((trx) => this.transitionIn(trx, actor, id, from, action, changes))
  }

  private async transitionIn(trx: DbOrTrx, actor: Actor, id: string, from: ArticleRow['status'][], action: string,
    changes: (before: ArticleRow) => repo.ArticleChanges): Promise<ArticleRow> {
    const before = await repo.lockArticle(trx, id)
    if (!before) throw new NotFound('The article')
    if (!from.includes(before.status)) throw new Conflict(`The article is ${statusLabel[before.status]}; it cannot be changed that way now.`)
    const change = changes(before)
    const after = await repo.updateArticle(trx, id, change)
    await audit(trx, actor, { action, entity: 'knowledge-article', entityId: id, before: { status: before.status }, after: change })
    return after
  }

  /** The job that publishes a scheduled article once its time has come (a reopened or moved one is left alone). */
  async publishDue(trx: DbOrTrx, id: string): Promise<void> {
    const due = await repo.dueScheduled(trx, id)
    if (!due) return
    await repo.publishScheduled(trx, id)
    await audit(trx, systemActor, { action: 'knowledge.article-published', entity: 'knowledge-article', entityId: id })
  }

  versions(id: string) {
    return repo.listVersions(this.deps.db, id)
  }

  async version(id: string, version: number) {
    const found = await repo.findVersion(this.deps.db, id, version)
    if (!found) throw new NotFound('The version')
    return found
  }

  /**
   * The page of an article's versions, in one round trip: the article, its versions and what changed from version `from`
   * to `to` (by default the current one and the one before it).
   */
  async versionsPage(id: string, asked: { from?: number; to?: number }) {
    const load = this.deps.pageLoader()
    const [row, versions, to, from] = await Promise.all([
      load('article', () => staffArticlePage.article(id)), load('versions', () => staffArticlePage.allVersions(id)),
      load('to', () => staffArticlePage.version(id, asked.to ?? null, 0)),
      load('from', () => (asked.from === undefined && asked.to !== undefined
        ? staffArticlePage.version(id, Math.max(1, asked.to - 1), 0)
        : staffArticlePage.version(id, asked.from ?? null, 1)))
    ])
    if (!row) throw new NotFound('The article')
    if (!to || !from) throw new NotFound('The version')
    return { article: articleOf(row), versions, diff: changes(from, to) }
  }

  /** What changed from one version to another: title and body, word by word. */
  async diff(id: string, from: number, to: number) {
    const [a, b] = await Promise.all([this.version(id, from), this.version(id, to)])
    return changes(a, b)
  }

  /** Makes an old version the current one, as a new version. */
  async restore(actor: Actor, id: string, version: number): Promise<ArticleRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await repo.lockArticle(trx, id)
      if (!before) throw new NotFound('The article')
      if (before.status === 'archived') throw new Conflict('An archived article cannot be edited; return it to draft first.')
      const old = await repo.findVersion(trx, id, version)
      if (!old) throw new NotFound('The version')
      const category = await repo.findCategory(trx, old.category_id)
      const content = { slug: before.slug, title: old.title, body: old.body, tags: old.tags, category_id: category ? old.category_id : before.category_id }
      return this.saveVersion(trx, actor, before, content, `Restored version ${version}`, false)
    })
  }
}

export const statusLabel: Record<ArticleRow['status'], string> = {
  draft: 'a draft', review: 'in review', scheduled: 'scheduled', published: 'published', archived: 'archived'
}
