import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../../helper.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'
import { summary } from '../../../modules/opportunities/opportunities.resource.ts'

t.test("the API's list, written as JSON by PostgreSQL, is each deal's summary as the resource writes it", async (t) => {
  const { app } = await buildTestApp(t)
  const { db, pipeline } = app.diContainer.cradle
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  for (const [name, revenue] of [['Tills', '25000.50'], ['Scanners "fast" \\ café', '7'], ['Rollout', '1234567.89']]) {
    await agent.post('/portal/opportunities', registrationForm(accountId, { name: name!, estimated_revenue: revenue! }))
  }
  await sql`update opportunities set owner_id = null where name = 'Rollout'`.execute(db)
  await sql`update opportunities set updated_at = '2031-01-02 03:04:05.678912+00' where name = 'Tills'`.execute(db)
  const other = await createActivePartner(app, 'other')
  const { accountId: theirs } = await createCustomer(app, other.admin.id, 'Initech', { domain: 'initech.example' })
  const theirAgent = await import('../../helper.ts').then(({ Agent }) => new Agent(app))
  await theirAgent.signIn(other.email, other.password)
  await theirAgent.post('/portal/opportunities', registrationForm(theirs, { name: 'Their deal we work on' }))
  await sql`insert into opportunity_collaborators (opportunity_id, partner_id) select id, ${acme.partner.id} from opportunities where name = 'Their deal we work on'`.execute(db)

  const viewer = await viewerFor(app, acme.admin.id)
  const rows = await pipeline.list(viewer, {}, 10)
  const text = await pipeline.listJson(viewer, {}, 10)
  t.equal(rows.items.length, 4, 'own deals and the shared one')
  t.same(text.items.map((o) => JSON.parse(o.json)), rows.items.map((o) => summary(o, acme.partner.id)))
  t.same(text.next, rows.next)
})
