import type { ColumnType, Generated, Selectable } from 'kysely'
import type { AudienceKind } from '../../core/identity/audience.ts'

export type ThreadKind = 'discussion' | 'question'
export type Posting = 'audience' | 'staff'
export type FollowLevel = 'posts' | 'threads'
export type Delivery = 'immediate' | 'digest'

export interface ForumCategoriesTable {
  id: Generated<string>
  name: string
  description: Generated<string>
  position: Generated<number>
  created_at: Generated<Date>
}

export interface ForumsTable {
  id: Generated<string>
  category_id: string
  name: string
  description: Generated<string>
  position: Generated<number>
  audience: Generated<AudienceKind>
  audience_level_id: string | null
  audience_partner_ids: Generated<string[]>
  posting: Generated<Posting>
  allow_hidden_company: Generated<boolean>
  thread_count: Generated<number>
  post_count: Generated<number>
  last_post_at: Date | null
  created_at: Generated<Date>
}

export interface ForumThreadsTable {
  id: Generated<string>
  forum_id: string
  kind: ThreadKind
  title: string
  author_id: string | null
  pinned: Generated<boolean>
  locked: Generated<boolean>
  closed: Generated<boolean>
  answer_post_id: string | null
  post_count: Generated<number>
  last_post_at: Generated<Date>
  search: ColumnType<string, string, string>
  held: Generated<boolean>
  created_at: Generated<Date>
  // The first post's author and company, kept by a trigger for the thread list.
  starter_name: ColumnType<string | null, never, never>
  starter_staff: ColumnType<boolean, never, never>
  starter_partner_id: ColumnType<string | null, never, never>
  starter_company: ColumnType<string | null, never, never>
  starter_hide_company: ColumnType<boolean, never, never>
}

export interface ForumPostsTable {
  id: Generated<string>
  thread_id: string
  number: number
  author_id: string | null
  author_name: string
  staff: Generated<boolean>
  partner_id: string | null
  company_name: string | null
  hide_company: Generated<boolean>
  body: string
  body_text: string
  search: ColumnType<string, string, string>
  hidden: Generated<boolean>
  hidden_reason: string | null
  deleted: Generated<boolean>
  held: Generated<boolean>
  helpful: Generated<number>
  edited_at: Date | null
  created_at: Generated<Date>
}

export interface ForumPostVersionsTable {
  post_id: string
  body: string
  edited_by: string | null
  editor_name: string
  replaced_at: Generated<Date>
}

export interface ForumVotesTable {
  post_id: string
  user_id: string
  voted_at: Generated<Date>
}

export interface ForumReportsTable {
  id: Generated<string>
  post_id: string
  reporter_id: string | null
  reason: string
  created_at: Generated<Date>
  resolved_at: Date | null
  resolved_by: string | null
}

export interface ForumReadsTable {
  thread_id: string
  user_id: string
  last_number: number
}

export interface ForumFollowsTable {
  user_id: string
  forum_id: string
  level: FollowLevel
}

export interface ForumThreadFollowsTable {
  user_id: string
  thread_id: string
  following: boolean
}

export interface ForumSettingsTable {
  user_id: string
  delivery: Generated<Delivery>
  auto_follow: Generated<boolean>
}

export interface ForumDigestItemsTable {
  user_id: string
  post_id: string
  queued_at: Generated<Date>
}

export interface ForumDigestsTable {
  user_id: string
  day: string
  posts: number
}

export interface ForumMutesTable {
  user_id: string
  until: Date
  reason: string
  muted_by: string | null
  created_at: Generated<Date>
}

/** A question turned into a support case; `posted_reply_id`: the case's last reply posted back into the thread. */
export interface ForumThreadCasesTable {
  thread_id: string
  case_id: string | null
  opened_by: string | null
  opened_at: Generated<Date>
  posted_reply_id: string | null
}

export type ForumCategoryRow = Selectable<ForumCategoriesTable>
export type ForumRow = Selectable<ForumsTable>
export type ThreadRow = Omit<Selectable<ForumThreadsTable>, 'search' | `starter_${string}`>
export type PostRow = Omit<Selectable<ForumPostsTable>, 'search' | 'body_text'>

declare module '../../core/data/database.ts' {
  interface Database {
    forum_categories: ForumCategoriesTable
    forums: ForumsTable
    forum_threads: ForumThreadsTable
    forum_posts: ForumPostsTable
    forum_post_versions: ForumPostVersionsTable
    forum_votes: ForumVotesTable
    forum_reports: ForumReportsTable
    forum_reads: ForumReadsTable
    forum_follows: ForumFollowsTable
    forum_thread_follows: ForumThreadFollowsTable
    forum_settings: ForumSettingsTable
    forum_digest_items: ForumDigestItemsTable
    forum_digests: ForumDigestsTable
    forum_mutes: ForumMutesTable
    forum_thread_cases: ForumThreadCasesTable
  }
}
