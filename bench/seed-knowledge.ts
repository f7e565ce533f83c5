import { sql } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { searchConfig } from '../core/data/search.repository.ts'

/** A word in most articles and one in a few of them, for the search pages. */
export const searchTerms = { common: 'partner', rare: 'zephyrine' } as const

// The first words are drawn most often (the draw is skewed towards the start), as in real text.
const vocabulary = [
  searchTerms.common, 'customer', 'opportunity', 'portal', 'deal', 'registration', 'account', 'program', 'level', 'team',
  'report', 'pipeline', 'contract', 'renewal', 'discount', 'quote', 'approval', 'support', 'training', 'certification',
  'marketing', 'campaign', 'lead', 'forecast', 'revenue', 'margin', 'invoice', 'payment', 'territory', 'region',
  'integration', 'import', 'export', 'spreadsheet', 'contact', 'owner', 'manager', 'admin', 'permission', 'access',
  'security', 'password', 'sign', 'session', 'invitation', 'profile', 'company', 'vendor', 'product', 'license',
  'subscription', 'trial', 'demo', 'onboarding', 'checklist', 'guide', 'step', 'field', 'form', 'status',
  'stage', 'won', 'lost', 'close', 'date', 'value', 'currency', 'amount', 'target', 'quota',
  'incentive', 'rebate', 'fund', 'claim', 'proof', 'execution', 'event', 'webinar', 'newsletter', 'brand',
  'logo', 'asset', 'template', 'document', 'policy', 'agreement', 'term', 'compliance', 'audit', 'privacy',
  'data', 'record', 'duplicate', 'conflict', 'rule', 'routing', 'assignment', 'queue', 'offer', 'accept',
  'reject', 'expire', 'reminder', 'email', 'notification', 'dashboard', 'widget', 'chart', 'table', 'filter',
  'search', 'analytics', 'schedule', 'calendar', 'holiday', 'hour', 'week', 'month', 'quarter', 'year',
  'growth', 'strategy', 'plan', 'goal', 'review', 'feedback', 'survey', 'score', 'rating', 'tier',
  'benefit', 'requirement', 'criteria', 'qualification', 'enablement', 'playbook', 'pitch', 'objection', 'competitor', 'advantage',
  'pricing', 'bundle', 'upgrade', 'migration', 'deployment', 'cloud', 'server', 'network', 'backup', 'restore',
  'api', 'key', 'webhook', 'endpoint', 'token', 'limit', 'error', 'retry', 'timeout', 'version',
  'release', 'feature', 'roadmap', 'beta', 'preview', 'announcement', 'change', 'update', 'fix', 'issue',
  'ticket', 'case', 'escalation', 'severity', 'priority', 'response', 'resolution', 'agent', 'knowledge', 'article',
  'forum', 'question', 'answer', 'community', 'expert', 'specialist', 'consultant', 'architect', 'engineer', 'designer',
  'warehouse', 'logistics', 'retail', 'healthcare', 'finance', 'manufacturing', 'education', 'government', 'energy', 'media',
  'europe', 'america', 'asia', 'pacific', 'africa', 'nordic', 'benelux', 'iberia', 'alpine', 'baltic',
  'workflow', 'automation', 'threshold', 'exception', 'override', 'snapshot', 'history', 'timeline', 'activity', 'note'
]
const categories = ['Getting started', 'Deal registration', 'Pricing and quotes', 'Integrations', 'Marketing', 'Support',
  'Training', 'Security', 'Billing', 'Product updates', 'Onboarding', 'Legal']

/**
 * `count` published articles in twelve categories: a title of four to eight words, a Markdown body of
 * 150 to 750 words in paragraphs, two tags, and the audiences mixed — public, every partner, Gold and
 * above, Platinum only (the bench partner is Gold), chosen companies — with their search vector and
 * words, as the application writes them.
 */
export async function seedKnowledge(conn: Db, count: number): Promise<void> {
  const words = sql`(${sql.val(vocabulary)}::text[])`
  const draw = (seed: ReturnType<typeof sql>) => sql`${words}[1 + floor(${vocabulary.length} * power((abs(hashtext(${seed})) % 10000) / 10000.0, 2.2))::int]`
  await sql`insert into knowledge_categories (name, description, position)
    select name, 'Articles about ' || lower(name) || '.', n::int from unnest(${sql.val(categories)}::text[]) with ordinality c(name, n)`.execute(conn)
  await sql`create temp table bench_articles as
    select a, gen_random_uuid() as id,
      initcap((select string_agg(${draw(sql`'t' || a || ':' || i`)}, ' ') from generate_series(1, 4 + a % 5) i)) || ' ' || a as title,
      (select string_agg(case when i % 60 = 0 then E'.\\n\\n' else '' end || ${draw(sql`a || ':' || i`)}, ' ')
        from generate_series(1, 150 + (a * 37) % 600) i) || case when a % 1000 = 7 then ${' ' + searchTerms.rare} else '' end || '.' as body_text
    from generate_series(1, ${count}) a`.execute(conn)
  await sql`insert into knowledge_articles (id, slug, category_id, title, body, body_text, tags, status, audience, audience_level_id,
      audience_partner_ids, published_at, author_id, author_name, views, helpful, unhelpful, search, created_at, updated_at)
    select b.id, lower(regexp_replace(b.title, '[^A-Za-z0-9]+', '-', 'g')),
      (select id from knowledge_categories where position = 1 + b.a % 12),
      b.title, E'## Overview\\n\\n' || b.body_text, b.body_text,
      array[${words}[1 + b.a % 40], ${words}[41 + b.a % 60]], 'published',
      case when b.a <= 2 then 'partners' else (array['public', 'partners', 'partners', 'levels', 'levels', 'companies'])[1 + b.a % 6] end,
      case when b.a > 2 and b.a % 6 = 3 then (select id from partner_levels where rank = 3)
        when b.a > 2 and b.a % 6 = 4 then (select id from partner_levels where rank = 4) end,
      case when b.a > 2 and b.a % 6 = 5 then array(select id from partners order by id offset b.a % 900 limit 3) else '{}' end,
      now() - (b.a % 700) * interval '1 day', s.id, s.name, (b.a * 13) % 5000, b.a % 17, b.a % 5,
      setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, b.title), 'A')
        || setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, ${words}[1 + b.a % 40] || ' ' || ${words}[41 + b.a % 60]), 'B')
        || setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, b.body_text), 'C'),
      now() - (b.a % 700) * interval '1 day', now() - (b.a % 300) * interval '1 day'
    from bench_articles b, (select id, name from users where email = 'staff1@portal.example') s`.execute(conn)
  await sql`insert into knowledge_versions (article_id, version, title, body, tags, category_id, note, author_id, author_name, created_at)
    select id, 1, title, body, tags, category_id, 'First version', author_id, author_name, created_at from knowledge_articles`.execute(conn)
  await sql`insert into knowledge_words (word) select distinct w from unnest(${words} || ${sql.val([searchTerms.rare])}::text[]) w on conflict do nothing`.execute(conn)
  await sql`drop table bench_articles`.execute(conn)
  // The bulk insert ran with triggers off, the one keeping the counts per category included.
  await sql`select knowledge_category_counts_rebuild()`.execute(conn)
}
