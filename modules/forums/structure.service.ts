import type { Static } from 'typebox'
import type { Cradle } from '../../core/container.ts'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import type { Submission } from '../../core/web/submissions/submissions.ts'
import * as repo from './structure.repository.ts'
import type { CategoryForm, ForumForm } from './forums.schemas.ts'
import type { ForumCategoryRow, ForumRow } from './forums.table.ts'

/** Staff arrange categories and forums: order, description, audience and who may post. */
export class ForumStructure {
  constructor(private readonly deps: { db: Db; partners: Cradle['partners'] }) {}

  categories() {
    return repo.listCategories(this.deps.db)
  }

  async category(id: string): Promise<ForumCategoryRow> {
    const category = await repo.findCategory(this.deps.db, id)
    if (!category) throw new NotFound('The category')
    return category
  }

  async saveCategory(actor: Actor, id: string | null, form: Static<typeof CategoryForm>, submission?: Submission): Promise<ForumCategoryRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      if (id && !await repo.findCategory(trx, id)) throw new NotFound('The category')
      const saved = id ? await repo.updateCategory(trx, id, form) : await repo.insertCategory(trx, form)
      await submission?.record(trx, saved.id)
      await audit(trx, actor, { action: id ? 'forums.category-updated' : 'forums.category-created', entity: 'forum-category', entityId: saved.id, after: form })
      return saved
    })
  }

  async removeCategory(actor: Actor, id: string): Promise<ForumCategoryRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const category = await repo.findCategory(trx, id)
      if (!category) throw new NotFound('The category')
      const forums = await repo.forumsIn(trx, id)
      if (forums > 0) throw new Conflict(`${category.name} still holds ${forums} ${forums === 1 ? 'forum' : 'forums'}; move them first.`)
      await repo.deleteCategory(trx, id)
      await audit(trx, actor, { action: 'forums.category-removed', entity: 'forum-category', entityId: id, before: category })
      return category
    })
  }

  allForums() {
    return repo.allForums(this.deps.db)
  }

  async forum(id: string): Promise<ForumRow> {
    const forum = await repo.findForum(this.deps.db, id)
    if (!forum) throw new NotFound('The forum')
    return forum
  }

  async saveForum(actor: Actor, id: string | null, form: Static<typeof ForumForm>, submission?: Submission): Promise<ForumRow> {
    const values = await this.checked(form)
    return this.deps.db.transaction().execute(async (trx) => {
      const before = id ? await repo.findForum(trx, id) : undefined
      if (id && !before) throw new NotFound('The forum')
      const saved = id ? await repo.updateForum(trx, id, values) : await repo.insertForum(trx, values)
      await submission?.record(trx, saved.id)
      await audit(trx, actor, { action: id ? 'forums.forum-updated' : 'forums.forum-created', entity: 'forum', entityId: saved.id, before, after: values })
      return saved
    })
  }

  /** The form's values once its category, level and companies are known to exist. */
  private async checked(form: Static<typeof ForumForm>): Promise<repo.ForumValues> {
    if (!await repo.findCategory(this.deps.db, form.category_id)) throw new Invalid({ category_id: 'Choose a category.' })
    if (form.audience === 'levels' && !(await this.deps.partners.levels()).some((l) => l.id === form.audience_level_id)) {
      throw new Invalid({ audience_level_id: 'Choose the lowest level that reads it.' })
    }
    const partnerIds = form.audience === 'companies' ? [...new Set(form.audience_partner_ids)] : []
    if (form.audience === 'companies' && partnerIds.length === 0) throw new Invalid({ audience_partner_ids: 'Choose at least one partner.' })
    if (partnerIds.length && (await this.deps.partners.partnerNames({ ids: partnerIds })).length !== partnerIds.length) {
      throw new Invalid({ audience_partner_ids: 'Choose partners from the list.' })
    }
    return {
      category_id: form.category_id, name: form.name, description: form.description, position: form.position, audience: form.audience,
      audience_level_id: form.audience === 'levels' ? form.audience_level_id : null, audience_partner_ids: partnerIds,
      posting: form.posting, allow_hidden_company: form.allow_hidden_company
    }
  }

  /** The categories with the forums the reader may read in each (empty categories left out), with unread threads per forum. */
  async readable(reader: Reader, userId: string | null) {
    const [categories, forums] = await Promise.all([repo.listCategories(this.deps.db), repo.readableForums(this.deps.db, reader, userId)])
    return categories.map((category) => ({ ...category, forums: forums.filter((f) => f.category_id === category.id) })).filter((c) => c.forums.length > 0)
  }

  async readableForum(reader: Reader, id: string): Promise<ForumRow> {
    const forum = await repo.readableForum(this.deps.db, reader, id)
    if (!forum) throw new NotFound('The forum')
    return forum
  }
}
