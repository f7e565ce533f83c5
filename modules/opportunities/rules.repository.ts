import { sql, type Updateable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'
import { offerRecord } from './offers.repository.ts'
import type { DistributionRulesTable, RulesRow } from './opportunities.table.ts'
import type { PartnerFacts } from './scoring.ts'

export function getRules(db: DbOrTrx): Promise<RulesRow> {
  return db.selectFrom('distribution_rules').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
}

export async function updateRules(db: DbOrTrx, rules: Updateable<DistributionRulesTable>): Promise<void> {
  await db.updateTable('distribution_rules').set({ ...rules, updated_at: sql`now()` }).where('id', '=', 1).execute()
}

/** Profile and track record of the active partners that could take a deal. */
export async function partnerFacts(db: DbOrTrx, stallDays: number, territory?: string): Promise<PartnerFacts[]> {
  const rows = await sql<Record<string, unknown>>`
    select p.id, p.name, p.level_name, coalesce(p.level_rank, 0) as level_rank, p.territories, p.expertise, p.capacity,
      coalesce(o.open_count, 0) as open_count, coalesce(o.won, 0) as won, coalesce(o.lost, 0) as lost, coalesce(o.stalled, 0) as stalled,
      o.avg_days_to_close, coalesce(f.answered, 0) as answered, coalesce(f.accepted, 0) as accepted, coalesce(f.returned, 0) as returned,
      f.avg_response_hours
    from ${partnerProfiles(db)} p
    left join lateral (
      select count(*) filter (where status in ('open', 'pending_approval')) as open_count,
        count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost,
        count(*) filter (where status = 'open' and last_activity_at < now() - make_interval(days => ${stallDays})) as stalled,
        avg(extract(epoch from closed_at - created_at) / 86400) filter (where status = 'won') as avg_days_to_close
      from opportunities where partner_id = p.id
    ) o on true
    ${offerRecord}
    where p.status = 'active' ${territory ? sql`and p.territories @> array[${territory}]::text[]` : sql``}
    order by p.name limit 2000`.execute(db)
  return rows.rows.map((r) => ({
    id: String(r.id), name: String(r.name), levelName: (r.level_name as string | null) ?? null, levelRank: Number(r.level_rank),
    territories: r.territories as string[], expertise: r.expertise as string[], capacity: Number(r.capacity),
    openCount: Number(r.open_count), won: Number(r.won), lost: Number(r.lost), stalled: Number(r.stalled),
    offersAnswered: Number(r.answered), offersAccepted: Number(r.accepted), returned: Number(r.returned),
    avgResponseHours: r.avg_response_hours === null ? null : Number(r.avg_response_hours),
    avgDaysToClose: r.avg_days_to_close === null ? null : Number(r.avg_days_to_close)
  }))
}
