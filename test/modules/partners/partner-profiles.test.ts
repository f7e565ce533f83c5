import t from 'tap'
import { buildTestApp } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'
import { partnerProfiles } from '../../../modules/partners/index.ts'

t.test('the published fragment reads each partner with its level, and these columns only', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, partners } = app.diContainer.cradle
  const active = await createActivePartner(app, 'alpha', { territories: ['DE', 'AT'], expertise: ['Training'] })
  const applied = await partners.apply(applicationForm({ company_name: 'beta Ltd', website: 'https://beta.example', email: 'b@beta.example' }))
  const level = (await partners.levels())[0]!

  const rows = await partnerProfiles(db).orderBy('partners.name').execute()
  t.same(Object.keys(rows[0]!).sort(), ['capacity', 'expertise', 'id', 'level_id', 'level_name', 'level_rank', 'name', 'status', 'territories'])
  t.match(rows, [
    { id: active.partner.id, name: 'alpha Ltd', status: 'active', territories: ['DE', 'AT'], expertise: ['Training'], level_id: level.id, level_name: level.name, level_rank: level.rank },
    { id: applied.partner.id, name: 'beta Ltd', status: 'applied', level_id: null, level_name: null, level_rank: null }
  ])
})

t.test('other modules join it like a table, inside their own statement', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const active = await createActivePartner(app, 'gamma')
  const joined = await db.selectFrom('users').innerJoin(partnerProfiles(db).as('p'), 'p.id', 'users.partner_id')
    .select(['users.email', 'p.name', 'p.level_name']).where('p.status', '=', 'active').execute()
  t.same(joined.map((r) => [r.email, r.name]), [[active.email, 'gamma Ltd']])
  t.ok(joined[0]!.level_name, 'with its level')
})
