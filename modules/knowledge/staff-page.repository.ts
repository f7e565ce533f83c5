import { sql, type RawBuilder } from 'kysely'
import { articleColumns } from './knowledge.repository.ts'
import type { ArticleRow } from './knowledge.table.ts'

/** A row as PostgreSQL writes it in JSON: its times as text. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

const when = (value: string | null) => (value === null ? null : new Date(value))

/** The article read back from JSON, its times as dates again (a date column's "YYYY-MM-DD" as UTC midnight, as pg's parser reads it). */
export const articleOf = (row: Json<ArticleRow>): ArticleRow => ({
  ...row, publish_at: when(row.publish_at), published_at: when(row.published_at), review_by: when(row.review_by),
  created_at: new Date(row.created_at), updated_at: new Date(row.updated_at)
})

export interface VersionLine { version: number; note: string; material: boolean; author_name: string; created_at: string }
export interface Acknowledgement { name: string; email: string; partner_id: string | null; version: number; acknowledged_at: string; current: boolean }
export interface VersionText { version: number; title: string; body: string; tags: string[] }
export interface AttachmentLine { id: string; file_name: string; content_type: string; size: number; created_at: string }

/** What the staff's page of an article reads, each a value for the page loader: the whole page in one round trip. */
export const staffArticlePage = {
  article: (id: string): RawBuilder<Json<ArticleRow> | null> => sql`select row_to_json(x) from (
    select ${sql.join(articleColumns.map((c) => sql.ref(c)))} from knowledge_articles where id = ${id}) x`,
  categories: (): RawBuilder<Array<{ id: string; parent_id: string | null; name: string; description: string; position: number; created_at: string }>> =>
    sql`select to_json(array(select row_to_json(c) from (select * from knowledge_categories order by position, name) c))`,
  versions: (id: string, limit: number): RawBuilder<VersionLine[]> => sql`select to_json(array(select row_to_json(x) from (
    select version, note, material, author_name, created_at from knowledge_versions where article_id = ${id} order by version desc limit ${sql.lit(limit)}) x))`,
  attachments: (id: string): RawBuilder<AttachmentLine[]> => sql`select to_json(array(select row_to_json(x) from (
    select id, file_name, content_type, size, created_at from knowledge_attachments where article_id = ${id} order by created_at) x))`,
  /** Who acknowledged a required article, newest first, and whether that covers its current material version; none for another. */
  acknowledgements: (id: string): RawBuilder<Acknowledgement[]> => sql`select to_json(array(select row_to_json(x) from (
    select u.name, u.email, u.partner_id, k.version, k.acknowledged_at, k.version >= a.material_version as current
    from knowledge_acknowledgements k join users u on u.id = k.user_id join knowledge_articles a on a.id = k.article_id
    where k.article_id = ${id} and a.required order by k.acknowledged_at desc limit 500) x))`,
  /** All its versions, newest first, for the page of versions. */
  allVersions: (id: string): RawBuilder<VersionLine[]> => sql`select to_json(array(select row_to_json(x) from (
    select version, note, material, author_name, created_at from knowledge_versions where article_id = ${id} order by version desc) x))`,
  /** One version: number `version`, or if none is asked for the article's current version less `back`, not below 1. */
  version: (id: string, version: number | null, back: number): RawBuilder<VersionText | null> => sql`select row_to_json(x) from (
    select version, title, body, tags from knowledge_versions where article_id = ${id}
      and version = coalesce(${version}::int, greatest(1, (select a.version from knowledge_articles a where a.id = ${id}) - ${back}::int))) x`,
  /** The partner companies among those who acknowledged it, for their names. */
  readerPartners: (id: string): RawBuilder<string[]> => sql`(select array(select distinct u.partner_id from knowledge_acknowledgements k join users u on u.id = k.user_id
    where k.article_id = ${id} and u.partner_id is not null))`,
  /** The companies the article's audience names. */
  audiencePartners: (id: string): RawBuilder<string[]> => sql`(select audience_partner_ids from knowledge_articles where id = ${id})`
}
