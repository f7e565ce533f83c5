import type { DbOrTrx } from '../../core/data/database.ts'

/**
 * Partners as other modules read them inside their own statements, so that a page showing
 * partners beside its own records stays one query without knowing the partners' tables: a
 * read-only subquery with these columns, joined like a table
 * (`.leftJoin(partnerProfiles(db).as('partners'), 'partners.id', …)`) or selected from in SQL
 * (`from ${partnerProfiles(db)} p`). PostgreSQL flattens it into the statement that uses it, so it
 * costs what joining the tables would. Published by index.ts; held to these columns by
 * test/modules/partners/partner-profiles.test.ts.
 */
export function partnerProfiles(db: DbOrTrx) {
  return db.selectFrom('partners').leftJoin('partner_levels', 'partner_levels.id', 'partners.level_id')
    .select(['partners.id', 'partners.name', 'partners.status', 'partners.territories', 'partners.expertise', 'partners.capacity',
      'partners.level_id', 'partner_levels.name as level_name', 'partner_levels.rank as level_rank'])
}
