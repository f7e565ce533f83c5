import type { Static } from 'typebox'
import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { Db } from '../../core/data/database.ts'
import { Conflict, Invalid, NotFound } from '../../core/lib/errors.ts'
import * as repo from './knowledge.repository.ts'
import type { CategoryForm } from './knowledge.schemas.ts'
import type { CategoryRow } from './knowledge.table.ts'

export interface CategoryNode extends CategoryRow {
  depth: number
  /** Names from the top category down to this one. */
  path: CategoryRow[]
  children: CategoryNode[]
}

/** The categories as a tree, and as a flat list in reading order (each after its parent). */
export function buildTree(rows: CategoryRow[]): { roots: CategoryNode[]; flat: CategoryNode[]; byId: Map<string, CategoryNode> } {
  const byId = new Map<string, CategoryNode>(rows.map((r) => [r.id, { ...r, depth: 0, path: [], children: [] }]))
  const roots: CategoryNode[] = []
  for (const node of byId.values()) {
    const parent = node.parent_id ? byId.get(node.parent_id) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  const flat: CategoryNode[] = []
  const walk = (nodes: CategoryNode[], path: CategoryRow[]) => {
    for (const node of nodes) {
      node.depth = path.length
      node.path = [...path, node]
      flat.push(node)
      walk(node.children, node.path)
    }
  }
  walk(roots, [])
  return { roots, flat, byId }
}

/** A category and every category under it. */
export function subtreeIds(node: CategoryNode): string[] {
  return [node.id, ...node.children.flatMap(subtreeIds)]
}

/** Staff arrange the categories: nested, ordered by position, each with a description. */
export class CategoriesService {
  constructor(private readonly deps: { db: Db }) {}

  async tree() {
    return buildTree(await repo.listCategories(this.deps.db))
  }

  async category(id: string) {
    const node = (await this.tree()).byId.get(id)
    if (!node) throw new NotFound('The category')
    return node
  }

  async save(actor: Actor, id: string | null, form: Static<typeof CategoryForm>): Promise<CategoryRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const { byId } = buildTree(await repo.listCategories(trx))
      const before = id ? byId.get(id) : undefined
      if (id && !before) throw new NotFound('The category')
      const parentId = form.parent_id || null
      if (parentId && !byId.has(parentId)) throw new Invalid({ parent_id: 'Choose a parent category, or none.' })
      if (parentId && before && subtreeIds(before).includes(parentId)) throw new Invalid({ parent_id: 'A category cannot sit inside itself or one of its subcategories.' })
      const values = { name: form.name, description: form.description, parent_id: parentId, position: form.position }
      const saved = id ? await repo.updateCategory(trx, id, values) : await repo.insertCategory(trx, values)
      await audit(trx, actor, { action: id ? 'knowledge.category-updated' : 'knowledge.category-created', entity: 'knowledge-category', entityId: saved.id, after: values })
      return saved
    })
  }

  async remove(actor: Actor, id: string): Promise<CategoryRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const category = await repo.findCategory(trx, id)
      if (!category) throw new NotFound('The category')
      const contents = await repo.categoryContents(trx, id)
      if (contents.children > 0 || contents.articles > 0) {
        throw new Conflict(`${category.name} still holds ${contents.children} subcategories and ${contents.articles} articles; move them first.`)
      }
      await repo.deleteCategory(trx, id)
      await audit(trx, actor, { action: 'knowledge.category-removed', entity: 'knowledge-category', entityId: id, before: category })
      return category
    })
  }
}
