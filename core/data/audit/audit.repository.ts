import { sql, type RawBuilder } from 'kysely'
import type { Db, DbOrTrx } from '../database.ts'

export interface AuditInsert {
  actorId: string | null
  actorName: string
  action: string
  entity: string
  entityId: string | null
  partnerId: string | null
  before: unknown
  after: unknown
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))

export async function insertAudit(db: DbOrTrx, entry: AuditInsert): Promise<void> {
  await db.insertInto('audit_log').values({
    actor_id: entry.actorId,
    actor_name: entry.actorName,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId,
    partner_id: entry.partnerId,
    before: json(entry.before),
    after: json(entry.after)
  }).execute()
}

export interface AuditFilter {
  entity?: string
  entityId?: string
  actor?: string
  action?: string
  /** The last entry shown: its time as PostgreSQL prints it (`at_key`), and its id. */
  after?: { key: string; id: string }
  limit: number
}

export async function listAudit(db: Db, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').selectAll().select(sql<string>`at::text`.as('at_key'))
  if (filter.entity) query = query.where('entity', '=', filter.entity)
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId)
  if (filter.action) query = query.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`)
  if (filter.actor) query = query.where('actor_name', 'ilike', `%${filter.actor.replace(/[%_\\]/g, '\\$&')}%`)
  if (filter.after) {
    const at = sql<Date>`${filter.after.key}::timestamptz`
    const id = filter.after.id
    query = query.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]))
  }
  return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()
}

/** A record's latest entries, newest first, as one JSON value for a page loader (times as ISO text). */
export function historyValue(entityId: string, limit: number): RawBuilder<AuditHistoryEntry[]> {
  return sql`select to_json(array(select row_to_json(x) from (select id, at, actor_name, action, after from audit_log
    where entity_id = ${entityId} order by at desc, id desc limit ${sql.lit(limit)}) x))`
}

/** An entry as a record's history shows it. */
export interface AuditHistoryEntry { id: string; at: string; actor_name: string; action: string; after: Record<string, unknown> | null }

export async function listAuditEntities(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('entity').distinct().orderBy('entity').execute()
  return rows.map((r) => r.entity)
}
