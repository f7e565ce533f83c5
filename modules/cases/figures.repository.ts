import { sql } from 'kysely'
import type { Db } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'

const hours = (from: string, to: string) => sql<number>`extract(epoch from (${sql.ref(to)} - ${sql.ref(from)})) / 3600`

/** The cases still being worked, by status and priority: from the counts the cases' trigger keeps (case_queue_counts), not by counting them. */
export async function openByStatusAndPriority(db: Db) {
  return (await sql<{ status: string; priority: string; n: string }>`select status, priority, sum(cases) as n from case_queue_counts
    where status in ('new', 'open', 'waiting') group by status, priority having sum(cases) > 0`.execute(db)).rows
}

/**
 * Times and outcomes of the cases opened since `since`, overall or per partner or per assignee: how
 * many, the median and 90th percentile hours to the first response and to resolution, how many
 * missed a target, and the average rating with how many rated.
 */
export function outcomes(db: Db, since: Date, by: 'all' | 'partner' | 'assignee', limit = 20) {
  const figures = [
    sql<string>`count(*)`.as('cases'),
    sql<number | null>`percentile_cont(0.5) within group (order by ${hours('c.created_at', 'c.first_response_at')})`.as('first_median'),
    sql<number | null>`percentile_cont(0.9) within group (order by ${hours('c.created_at', 'c.first_response_at')})`.as('first_p90'),
    sql<number | null>`percentile_cont(0.5) within group (order by ${hours('c.created_at', 'c.resolved_at')})`.as('resolution_median'),
    sql<number | null>`percentile_cont(0.9) within group (order by ${hours('c.created_at', 'c.resolved_at')})`.as('resolution_p90'),
    sql<string>`count(*) filter (where c.breached_at is not null)`.as('breaches'),
    sql<number | null>`avg(c.rating)`.as('rating'),
    sql<string>`count(c.rating)`.as('rated')
  ]
  const base = db.selectFrom('cases as c').where('c.created_at', '>=', since)
  if (by === 'partner') {
    return base.innerJoin(partnerProfiles(db).as('p'), 'p.id', 'c.partner_id').select(['p.name as label', ...figures])
      .groupBy('p.name').orderBy(sql`count(*)`, 'desc').orderBy('p.name').limit(limit).execute()
  }
  if (by === 'assignee') {
    return base.leftJoin('users as u', 'u.id', 'c.assignee_id').select([sql<string>`coalesce(u.name, 'Nobody yet')`.as('label'), ...figures])
      .groupBy('u.name').orderBy(sql`count(*)`, 'desc').orderBy('u.name').limit(limit).execute()
  }
  return base.select([sql<string>`'All cases'`.as('label'), ...figures]).execute()
}
