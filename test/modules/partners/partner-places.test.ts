import t from 'tap'
import { sql } from 'kysely'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import * as placesMigration from '../../../migrations/20261211100000_partner_places.ts'

t.test('the countries partners are in and serve are kept through every new partner, change and removal', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, partners, pageLoader } = app.diContainer.cradle
  const counted = async () => (await sql<{ kind: string; code: string; partners: number }>`
    select 'country' as kind, country as code, count(*)::int as partners from partners group by country
    union all select 'territory', t, count(distinct id)::int from partners, unnest(territories) t group by t
    order by 1, 2`.execute(db)).rows
  const kept = async () => (await sql<{ kind: string; code: string; partners: number }>`
    select kind, code, partners from partner_places where partners > 0 order by 1, 2`.execute(db)).rows
  const agree = async (when: string) => t.same(await kept(), await counted(), when)

  const alpha = await createActivePartner(app, 'alpha', { country: 'DE', territories: ['DE', 'AT'] })
  const beta = await createActivePartner(app, 'beta', { country: 'FR', territories: ['FR', 'DE'] })
  await agree('two partners applied and approved')
  const filters = await partners.directoryChoices(pageLoader(), { country: '', territory: '' })
  t.same(filters.countries.map((c) => c.code).sort(), ['DE', 'FR'], 'the filter offers the countries partners are in')
  t.same(filters.territories.map((c) => c.code).sort(), ['AT', 'DE', 'FR'], 'and those they serve')

  const { level_id: level } = await db.selectFrom('partners').select('level_id').where('id', '=', alpha.partner.id).executeTakeFirstOrThrow()
  await partners.staffUpdate(systemActor, alpha.partner.id, { level_id: level!, territories: ['CH'], expertise: [], capacity: 5 })
  await agree('territories changed')
  await sql`update partners set country = 'AT' where id = ${beta.partner.id}`.execute(db)
  await agree('a country changed')
  const countries = async () => (await partners.directoryChoices(pageLoader(), { country: '', territory: '' })).countries.map((c) => c.code).sort()
  t.same(await countries(), ['AT', 'DE'], 'a country no partner is in any more is no longer offered')
  await sql`delete from partner_applications where partner_id = ${beta.partner.id}`.execute(db)
  await sql`delete from users where partner_id = ${beta.partner.id}`.execute(db)
  await sql`delete from partners where id = ${beta.partner.id}`.execute(db)
  await agree('a partner removed')

  const before = await kept()
  await sql`select partner_places_rebuild()`.execute(db)
  t.same(await kept(), before, 'a rebuild gives the same counts')
  await placesMigration.down(db)
  await placesMigration.up(db)
  t.same(await kept(), before, 'the migration goes down and back up, rebuilt from the partners')
})
