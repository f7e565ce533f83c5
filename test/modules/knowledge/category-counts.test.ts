import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { readableBy } from '../../../core/identity/audience.repository.ts'
import type { Reader } from '../../../core/identity/audience.ts'
import { systemActor } from '../../../core/data/audit/audit.service.ts'

t.test('the counts beside the categories follow every publish, archive, move and change of audience', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, knowledgeReading, knowledgeArticles, partners } = app.diContainer.cradle
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 2, benefits: 'Leads' })
  const member = await createActivePartner(app, 'member')
  const chosen = await createActivePartner(app, 'chosen')
  const staff = await createStaffPair(app)
  const guides = await createCategory(app, staff.author, 'Guides')
  const pricing = await createCategory(app, staff.author, 'Pricing')
  const readers: Array<[string, Reader]> = [
    ['staff', { kind: 'staff' }], ['visitor', { kind: 'visitor' }],
    ['a partner', { kind: 'partner', partnerId: member.partner.id, levelIds: [] }],
    ['the chosen Gold partner', { kind: 'partner', partnerId: chosen.partner.id, levelIds: [gold.id] }]
  ]
  const agree = async (when: string) => {
    for (const [name, reader] of readers) {
      const { rows } = await sql<{ category_id: string; n: number }>`select a.category_id, count(*)::int as n from knowledge_articles a
        where a.status = 'published' and ${readableBy(reader, 'a')} group by 1`.execute(db)
      const truth = new Map(rows.map((r) => [r.category_id, r.n]))
      const { counts } = await knowledgeReading.categories(reader)
      t.same([guides.id, pricing.id].map((id) => counts.get(id) ?? 0), [guides.id, pricing.id].map((id) => truth.get(id) ?? 0), `${when}: ${name}`)
    }
  }

  const open = await createArticle(app, staff, guides.id, { title: 'Open to all', audience: 'public' })
  const partnersOnly = await createArticle(app, staff, guides.id, { title: 'For partners', audience: 'partners' })
  const forGold = await createArticle(app, staff, pricing.id, { title: 'Gold prices', audience: 'levels', levelId: gold.id })
  await createArticle(app, staff, pricing.id, { title: 'For one company', audience: 'companies', partnerIds: [chosen.partner.id] })
  await createArticle(app, staff, pricing.id, { title: 'Still a draft', audience: 'public', publish: false })
  await agree('published')
  t.equal((await knowledgeReading.categories({ kind: 'visitor' })).counts.get(guides.id), 1, 'a visitor counts the public article only')

  await knowledgeArticles.archive(staff.reviewer, open.id)
  await agree('archived')
  await knowledgeArticles.setAudience(staff.reviewer, partnersOnly.id, { audience: 'companies', audience_level_id: '', audience_partner_ids: [member.partner.id], required: false, review_by: '' })
  await agree('audience changed')
  await sql`update knowledge_articles set category_id = ${guides.id} where id = ${forGold.id}`.execute(db)
  await agree('moved')
  await sql`delete from knowledge_articles where id = ${forGold.id}`.execute(db)
  await agree('removed')

  const kept = await db.selectFrom('knowledge_category_counts').selectAll().where('articles', '<>', 0).orderBy(['category_id', 'audience']).execute()
  await sql`select knowledge_category_counts_rebuild()`.execute(db)
  t.same(await db.selectFrom('knowledge_category_counts').selectAll().orderBy(['category_id', 'audience']).execute(), kept, 'a rebuild finds what the trigger kept')
})
