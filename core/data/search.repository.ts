import { sql, type Expression, type RawBuilder } from 'kysely'
import type { DbOrTrx } from './database.ts'
import { planEachTimeMarker } from './prepared-client.ts'

/**
 * Full-text search shared by the features that search their own text (knowledge, forums): a
 * weighted document vector written with the row, a websearch_to_tsquery query (quotes, -word, or),
 * and misspelt words corrected against a table of the words that exist, through pg_trgm.
 */
export const searchConfig = 'english'

/** A weighted tsvector of text parts, A (most important) to D: write it in the statement that writes the text. */
export function searchVector(parts: Array<[text: string, weight: 'A' | 'B' | 'C' | 'D']>): RawBuilder<string> {
  return sql<string>`${sql.join(parts.map(([text, weight]) =>
    sql`setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, ${text}), ${sql.lit(weight)})`), sql` || `)}`
}

/** For a search's select (`.modifyFront(plannedEachTime)`): a word in ten rows and one in most of them want different plans. */
export const plannedEachTime = sql.raw(planEachTimeMarker)

/** The query a person typed, in web-search syntax. */
export function webQuery(text: string): RawBuilder<string> {
  return sql<string>`websearch_to_tsquery(${sql.lit(searchConfig)}::regconfig, ${text})`
}

/** Ranks a document vector against a query, cover density normalised by length. */
export function searchRank(vector: Expression<unknown>, query: Expression<unknown>): RawBuilder<number> {
  return sql<number>`ts_rank_cd(${vector}, ${query}, 1)`
}

/**
 * A snippet of the text with the matches in <mark> (the text is escaped first, so only the marks
 * are markup); `whole` highlights all of a short text (a title) instead of cutting fragments.
 */
export function searchHeadline(text: Expression<unknown>, query: Expression<unknown>, options: { whole?: boolean } = {}): RawBuilder<string> {
  const escaped = sql`replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`
  const shape = options.whole ? 'HighlightAll=true' : 'MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
  return sql<string>`ts_headline(${sql.lit(searchConfig)}::regconfig, ${escaped}, ${query}, ${sql.lit(`StartSel=<mark>, StopSel=</mark>, ${shape}`)})`
}

/** Adds the words of a text to a table of words (one `word` column, a pg_trgm index), for correcting misspellings. */
export async function rememberWords(db: DbOrTrx, table: string, text: string): Promise<void> {
  await sql`insert into ${sql.table(table)} (word)
    select distinct lower(w) from regexp_split_to_table(${text}, '[^[:alnum:]]+') w where length(w) between 3 and 40
    on conflict do nothing`.execute(db)
}

/**
 * Each word of a query that the word table does not hold, mapped to the most similar word it does
 * hold (trigram similarity above pg_trgm.similarity_threshold, 0.3 by default); words it holds and words with no close match are left out.
 */
export async function corrections(db: DbOrTrx, table: string, words: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(words.map((w) => w.toLowerCase()).filter((w) => w.length >= 3 && w.length <= 40))].slice(0, 8)
  if (unique.length === 0) return new Map()
  const { rows } = await sql<{ term: string; word: string | null }>`
    select t.term, (select w.word from ${sql.table(table)} w where w.word % t.term and w.word <> t.term
        and not exists (select 1 from ${sql.table(table)} x where x.word = t.term)
        order by similarity(w.word, t.term) desc, w.word limit 1) as word
    from unnest(${unique}::text[]) as t(term)`.execute(db)
  return new Map(rows.filter((r) => r.word !== null).map((r) => [r.term, r.word!]))
}
