import t from 'tap'
import { seedDemo } from '../../../core/features/demo.ts'
import { buildTestApp } from '../../helper.ts'

t.test('the demo data has cases in every state, some about the demo deals, with replies, an internal note and a missed target', async (t) => {
  const { app } = await buildTestApp(t)
  await seedDemo(app)
  const { db } = app.diContainer.cradle
  const rows = await db.selectFrom('cases').select(['status', 'opportunity_id', 'first_response_at', 'breached_at', 'deal_stage', 'deal_raised']).execute()
  t.same([...new Set(rows.map((r) => r.status))].sort(), ['cancelled', 'closed', 'new', 'open', 'resolved', 'waiting'])
  t.ok(rows.filter((r) => r.opportunity_id).length >= 2, 'some are about demo deals')
  t.ok(rows.some((r) => r.first_response_at), 'some are answered')
  t.ok(rows.some((r) => r.deal_stage === 'close' && r.deal_raised), 'one is about a deal in its last stage, raised in the queue')
  t.ok(rows.some((r) => r.breached_at), 'some missed their target')
  t.equal((await db.selectFrom('case_events').select('id').where('kind', '=', 'note').execute()).length, 1, 'one carries an internal note')
})
