import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../core/data/database.ts'
import { olderThan } from '../../core/data/keyset.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { EventRow, OfferRow, OpportunityRow, RulesRow } from './opportunities.table.ts'

/** A row as row_to_json gives it: times as ISO text (numerics come as numbers, read back with String). */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

type Deal = OpportunityRow & { partner_name: string | null; owner_name: string | null }
type Offer = OfferRow & { partner_name: string }
type Event = EventRow & { at_key: string }
interface Collaborator { id: string; name: string; added_at: Date }

const rows = <T>(query: { compile(): unknown }): RawBuilder<Array<Json<T>>> => sql`select array(select row_to_json(x) from (${query}) x)`
const money = <T extends string | null>(value: T) => (value === null ? null : String(value)) as T

/**
 * What a deal's staff page reads, each a value for the page loader: the deal, its collaborators,
 * offers, latest events and the distribution rules go to the database together, in one round trip.
 */
export const dealPage = {
  deal: (db: Db, id: string): RawBuilder<Json<Deal> | null> => sql`select row_to_json(x) from (${db.selectFrom('opportunities')
    .leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunities.partner_id')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .selectAll('opportunities').select(['partners.name as partner_name', 'owner.name as owner_name'])
    .where('opportunities.id', '=', id)}) x`,
  collaborators: (db: Db, id: string) => rows<Collaborator>(db.selectFrom('opportunity_collaborators')
    .innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunity_collaborators.partner_id')
    .select(['partners.id', 'partners.name', 'opportunity_collaborators.added_at']).where('opportunity_id', '=', id).orderBy('partners.name')),
  offers: (db: Db, id: string) => rows<Offer>(db.selectFrom('opportunity_offers')
    .innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunity_offers.partner_id')
    .selectAll('opportunity_offers').select('partners.name as partner_name').where('opportunity_id', '=', id).orderBy('offered_at')),
  /** The latest `size` + 1 events after `after`, newest first (the one more tells an older page exists). */
  events: (db: Db, id: string, after: { key: string; id: string } | undefined, size: number) => rows<Event>(db.selectFrom('opportunity_events')
    .selectAll().select(sql<string>`at::text`.as('at_key')).where('opportunity_id', '=', id)
    .$if(after !== undefined, (q) => q.where(olderThan('at', 'id', after!)))
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(size + 1)),
  rules: (db: Db): RawBuilder<Json<RulesRow>> => sql`select row_to_json(r) from (${db.selectFrom('distribution_rules').selectAll().where('id', '=', 1)}) r`
}

const date = (value: string) => new Date(value)
const dateOrNull = (value: string | null) => (value === null ? null : new Date(value))

/** The page's values read back into the rows the queries of one value each return. */
export const dealRows = {
  deal: (d: Json<Deal>): Deal => ({
    ...d, estimated_revenue: money(d.estimated_revenue), actual_revenue: money(d.actual_revenue), expected_close: date(d.expected_close),
    closed_at: dateOrNull(d.closed_at), last_activity_at: date(d.last_activity_at), created_at: date(d.created_at), updated_at: date(d.updated_at)
  }),
  collaborator: (c: Json<Collaborator>): Collaborator => ({ ...c, added_at: date(c.added_at) }),
  offer: (o: Json<Offer>): Offer => ({
    ...o, score: money(o.score), offered_at: date(o.offered_at), deadline: date(o.deadline), answered_at: dateOrNull(o.answered_at)
  }),
  event: (e: Json<Event>): Event => ({ ...e, at: date(e.at) }),
  rules: (r: Json<RulesRow>): RulesRow => ({ ...r, large_deal_revenue: money(r.large_deal_revenue), updated_at: date(r.updated_at) })
}
