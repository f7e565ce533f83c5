import t from 'tap'
import { buildTestApp } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent } from '../../fixtures/cases.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { addEndpoint, runJobs } from '../../fixtures/webhooks.ts'

t.test('case webhooks: opened, replied (public replies only), status changed and breached reach the partner’s endpoint; an internal note reaches no one', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const mine = await Receiver.start(t)
  const theirs = await Receiver.start(t)
  const acme = await partnerWithDeal(app, 'acme')
  const other = await partnerWithDeal(app, 'other')
  const types = ['case.created', 'case.replied', 'case.status-changed', 'case.breached']
  await addEndpoint(app, acme.admin.id, mine.url, types)
  await addEndpoint(app, other.admin.id, theirs.url, types)
  const desk = await staffAgent(app)

  const id = await openCase(acme.agent, { subject: 'Keys fail', opportunity_id: acme.dealId })
  await desk.agent.post(`/admin/cases/${id}/notes`, { note: 'HOOK-SECRET-NOTE' })
  await desk.agent.post(`/admin/cases/${id}/replies`, { body: 'Try the new keys.', next_status: 'waiting' })
  await acme.agent.post(`/portal/cases/${id}/replies`, { body: 'They work.' })
  await runJobs(app, 3)

  t.same(mine.types(), ['case.created', 'case.replied', 'case.status-changed', 'case.replied', 'case.status-changed'], 'in the order they happened')
  t.match(mine.received[0]!.json.data, { id, subject: 'Keys fail', opportunity: { id: acme.dealId } })
  t.match(mine.received[1]!.json.data, { case: { id }, reply: { body: 'Try the new keys.', internal: false, author: { side: 'staff' } } })
  t.match(mine.received[3]!.json.data, { reply: { body: 'They work.', author: { side: 'partner' } } })
  t.notOk(mine.received.some((r) => r.body.includes('HOOK-SECRET-NOTE')), 'no delivery carries the internal note')
  t.same(theirs.types(), [], 'another partner’s endpoint hears nothing of it')
})
