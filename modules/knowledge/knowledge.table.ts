import type { ColumnType, Generated, Selectable } from 'kysely'
import type { AudienceKind } from '../../core/identity/audience.ts'

export type ArticleStatus = 'draft' | 'review' | 'scheduled' | 'published' | 'archived'

export interface KnowledgeCategoriesTable {
  id: Generated<string>
  parent_id: string | null
  name: string
  description: Generated<string>
  position: Generated<number>
  created_at: Generated<Date>
}

export interface KnowledgeArticlesTable {
  id: Generated<string>
  slug: string
  category_id: string
  title: string
  body: string
  body_text: string
  tags: Generated<string[]>
  status: Generated<ArticleStatus>
  audience: Generated<AudienceKind>
  audience_level_id: string | null
  audience_partner_ids: Generated<string[]>
  required: Generated<boolean>
  publish_at: Date | null
  published_at: Date | null
  review_by: Date | null
  author_id: string | null
  author_name: string
  submitted_by: string | null
  review_comment: string | null
  version: Generated<number>
  material_version: Generated<number>
  views: Generated<number>
  helpful: Generated<number>
  unhelpful: Generated<number>
  search: ColumnType<string, string, string>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface KnowledgeVersionsTable {
  article_id: string
  version: number
  title: string
  body: string
  tags: string[]
  category_id: string
  note: string
  material: Generated<boolean>
  author_id: string | null
  author_name: string
  created_at: Generated<Date>
}

/** Published articles per category and audience, kept by a trigger (migration 20261208091000). */
export interface KnowledgeCategoryCountsTable {
  category_id: string
  audience: AudienceKind
  audience_level_id: string | null
  audience_partner_ids: string[]
  articles: number
}

/** One row: raised by every change to what readers can find (migration 20261208091200). */
export interface KnowledgeVersionTable {
  id: Generated<number>
  version: string
}

export interface KnowledgeWordsTable {
  word: string
}

export interface KnowledgeVotesTable {
  article_id: string
  user_id: string
  helpful: boolean
  comment: string | null
  voted_at: Generated<Date>
}

export interface KnowledgeAcknowledgementsTable {
  article_id: string
  user_id: string
  version: number
  acknowledged_at: Generated<Date>
}

export interface KnowledgeViewsTable {
  article_id: string
  day: string
  views: number
}

export interface KnowledgeSearchesTable {
  id: Generated<string>
  query: string
  results: number
  searched_at: Generated<Date>
  clicked_at: Date | null
}

/** Kept by triggers on knowledge_searches: per UTC day and query, searches in vain, found, and found with nothing opened. */
export interface KnowledgeSearchDaysTable {
  day: string
  query: string
  unanswered: number
  last_unanswered: Date | null
  found: number
  unclicked: number
}

export interface KnowledgeAttachmentsTable {
  id: Generated<string>
  article_id: string
  file_name: string
  content_type: string
  size: number
  created_by: string | null
  created_at: Generated<Date>
}

export interface KnowledgeFilesTable {
  attachment_id: string
  data: Buffer
}

export type CategoryRow = Selectable<KnowledgeCategoriesTable>
export type ArticleRow = Omit<Selectable<KnowledgeArticlesTable>, 'search' | 'body_text'>
export type VersionRow = Selectable<KnowledgeVersionsTable>

declare module '../../core/data/database.ts' {
  interface Database {
    knowledge_categories: KnowledgeCategoriesTable
    knowledge_articles: KnowledgeArticlesTable
    knowledge_versions: KnowledgeVersionsTable
    knowledge_words: KnowledgeWordsTable
    knowledge_category_counts: KnowledgeCategoryCountsTable
    knowledge_version: KnowledgeVersionTable
    knowledge_votes: KnowledgeVotesTable
    knowledge_acknowledgements: KnowledgeAcknowledgementsTable
    knowledge_views: KnowledgeViewsTable
    knowledge_searches: KnowledgeSearchesTable
    knowledge_search_days: KnowledgeSearchDaysTable
    knowledge_attachments: KnowledgeAttachmentsTable
    knowledge_files: KnowledgeFilesTable
  }
}
