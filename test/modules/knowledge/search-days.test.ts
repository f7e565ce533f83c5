import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../../helper.ts'
import * as searchDaysMigration from '../../../migrations/20261211100100_knowledge_search_days.ts'

t.test('the searches counted per day follow every batch of logged searches, click and removal', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const counted = async () => (await sql`select (searched_at at time zone 'UTC')::date::text as day, query,
      count(*) filter (where results = 0)::int as unanswered, max(searched_at) filter (where results = 0) as last_unanswered,
      count(*) filter (where results > 0)::int as found, count(*) filter (where results > 0 and clicked_at is null)::int as unclicked
    from knowledge_searches group by 1, 2 order by 1, 2`.execute(db)).rows
  const kept = async () => (await sql`select day::text, query, unanswered, last_unanswered, found, unclicked from knowledge_search_days
    where unanswered <> 0 or found <> 0 order by 1, 2`.execute(db)).rows
  const agree = async (when: string) => t.same(await kept(), await counted(), when)

  const at = (iso: string) => new Date(iso)
  await db.insertInto('knowledge_searches').values([
    { query: 'sync', results: 0, searched_at: at('2026-12-01T23:30:00Z'), clicked_at: null },
    { query: 'sync', results: 0, searched_at: at('2026-12-02T00:30:00Z'), clicked_at: null },
    { query: 'import', results: 3, searched_at: at('2026-12-02T08:00:00Z'), clicked_at: null },
    { query: 'import', results: 3, searched_at: at('2026-12-02T09:00:00Z'), clicked_at: null }
  ]).execute()
  await agree('a batch logged across two UTC days')
  await db.insertInto('knowledge_searches').values([
    { query: 'sync', results: 0, searched_at: at('2026-12-02T10:00:00Z'), clicked_at: null },
    { query: 'import', results: 2, searched_at: at('2026-12-02T11:00:00Z'), clicked_at: null }
  ]).execute()
  await agree('another batch on the same day')
  await sql`update knowledge_searches set clicked_at = searched_at + interval '1 minute' where query = 'import' and searched_at < '2026-12-02T10:00:00Z'`.execute(db)
  await agree('results opened')
  await sql`delete from knowledge_searches where query = 'sync' and searched_at = '2026-12-02T10:00:00Z'`.execute(db)
  await agree('the day’s last search in vain removed: the one before is the last again')

  const before = await kept()
  await sql`select knowledge_search_days_rebuild()`.execute(db)
  t.same(await kept(), before, 'a rebuild gives the same counts')
  await searchDaysMigration.down(db)
  await searchDaysMigration.up(db)
  t.same(await kept(), before, 'the migration goes down and back up, counted from the logged searches')
})
