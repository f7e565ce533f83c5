import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { deliveriesOf, runJobs } from '../../fixtures/webhooks.ts'
import { verifySignature } from '../../../modules/webhooks/webhook-signature.ts'

const secretIn = (html: string) => /value="(whsec_[A-Za-z0-9_-]{43})"/.exec(html)?.[1]
const idIn = (html: string) => /href="\/portal\/integrations\/webhooks\/([0-9a-f-]{36})"/.exec(html)?.[1]

t.test('a partner admin adds an endpoint, sees its secret once, tests, edits, switches off and on, rotates and deletes it', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  t.match((await agent.get('/portal/integrations')).body, /href="\/portal\/integrations\/webhooks"/, 'the Integrations page leads to webhooks')
  const empty = await agent.get('/portal/integrations/webhooks')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /No webhook endpoints yet/)

  const form = await agent.get('/portal/integrations/webhooks/new')
  t.match(form.body, /name="events" value="offer.created"/)
  t.notMatch(form.body, /application.submitted/, 'a partner is not offered staff events')

  const created = await agent.post('/portal/integrations/webhooks', { url: receiver.url, description: 'CRM sync', events: ['customer.created', 'opportunity.won'] })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['cache-control'], 'no-store')
  const secret = secretIn(created.body)
  t.ok(secret, 'the secret is shown')
  const id = idIn(created.body)!

  const list = await agent.get('/portal/integrations/webhooks')
  t.match(list.body, /CRM sync[\s\S]*2 events[\s\S]*On/)
  const page = await agent.get(`/portal/integrations/webhooks/${id}`)
  t.match(page.body, /Nothing sent yet/)
  t.notMatch(page.body, new RegExp(secret!), 'the secret is not shown again')

  const test = await agent.post(`/portal/integrations/webhooks/${id}/test`)
  t.equal(test.statusCode, 303)
  await runJobs(app)
  t.same(receiver.types(), ['webhook.test'])
  t.ok(verifySignature(String(receiver.received[0]!.headers['portal-signature']), secret!, receiver.received[0]!.body), 'signed')
  t.match((await agent.get(`/portal/integrations/webhooks/${id}`)).body, /webhook.test[\s\S]*Delivered[\s\S]*200[\s\S]* ms/, 'the log shows it')

  const edit = await agent.get(`/portal/integrations/webhooks/${id}/edit`)
  t.match(edit.body, /value="customer.created" checked/)
  const saved = await agent.post(`/portal/integrations/webhooks/${id}`, { url: receiver.url, description: 'CRM', events: ['customer.updated'] })
  t.equal(saved.statusCode, 303)
  t.match((await agent.get(`/portal/integrations/webhooks/${id}`)).body, /The endpoint is saved[\s\S]*customer.updated/)

  await agent.post(`/portal/integrations/webhooks/${id}/disable`)
  t.match((await agent.get(`/portal/integrations/webhooks/${id}`)).body, /Off<\/span> Switched off by/)
  await agent.post(`/portal/integrations/webhooks/${id}/enable`)
  t.match((await agent.get(`/portal/integrations/webhooks/${id}`)).body, /On<\/span>/)

  const rotated = await agent.post(`/portal/integrations/webhooks/${id}/rotate`)
  t.equal(rotated.statusCode, 200)
  t.equal(rotated.headers['cache-control'], 'no-store')
  const next = secretIn(rotated.body)
  t.ok(next && next !== secret, 'a new secret is shown')
  t.match((await agent.get(`/portal/integrations/webhooks/${id}`)).body, /previous secret still signs/)

  const deleted = await agent.post(`/portal/integrations/webhooks/${id}/delete`)
  t.equal(deleted.statusCode, 303)
  t.match((await agent.get('/portal/integrations/webhooks')).body, /is deleted[\s\S]*No webhook endpoints yet/)
  t.equal((await deliveriesOf(app, id)).length, 0, 'its log goes with it')

  const audit = await app.diContainer.cradle.db.selectFrom('audit_log').select(['action', 'after']).where('entity', '=', 'webhook').orderBy('at').execute()
  t.same(audit.map((a) => a.action), ['webhook.created', 'webhook.updated', 'webhook.disabled', 'webhook.enabled', 'webhook.secret-rotated', 'webhook.deleted'])
  t.notOk(JSON.stringify(audit).includes('whsec_'), 'no secret in the audit trail')
})

t.test('the form explains what is wrong and keeps what was entered; nothing is saved', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const res = await agent.post('/portal/integrations/webhooks', { url: 'http://127.0.0.1:8080/x', description: 'Mine' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /must start with https/)
  t.match(res.body, /Choose at least one event/)
  t.match(res.body, /value="Mine"/)
  const staffOnly = await agent.post('/portal/integrations/webhooks', { url: 'https://10.0.0.8/x', events: ['application.submitted'] })
  t.match(staffOnly.body, /private, loopback and link-local addresses are not called/)
  t.match(staffOnly.body, /Choose among the events listed/)
  t.match((await agent.post('/portal/integrations/webhooks', { url: 'not a url', events: ['customer.created'] })).body, /Enter a full address/)
  t.equal((await app.diContainer.cradle.db.selectFrom('webhook_endpoints').select('id').execute()).length, 0)
})

t.test('a staff admin manages the staff’s endpoints, with every event on offer', async (t) => {
  const { app } = await buildTestApp(t)
  await createUser(app, { email: 'root@staff.example', role: 'admin', password: 'correct-horse-battery' })
  const agent = new Agent(app)
  await agent.signIn('root@staff.example', 'correct-horse-battery')
  const form = await agent.get('/admin/integrations/webhooks/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /value="application.decided"/)
  const created = await agent.post('/admin/integrations/webhooks', { url: 'https://hooks.example.com/in', events: ['application.submitted', 'customer.removed'] })
  t.equal(created.statusCode, 201)
  t.match((await agent.get('/admin/integrations/webhooks')).body, /hooks.example.com/)
  const row = await app.diContainer.cradle.db.selectFrom('webhook_endpoints').select(['partner_id']).executeTakeFirstOrThrow()
  t.equal(row.partner_id, null, 'a staff endpoint')
})

t.test('the delivery log is paged, latest first', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const created = await agent.post('/portal/integrations/webhooks', { url: 'https://hooks.example.com/in', events: 'customer.created' })
  const id = idIn(created.body)!
  const { db } = app.diContainer.cradle
  await db.insertInto('webhook_deliveries').values(Array.from({ length: 30 }, (_, i) => ({
    endpoint_id: id, event_id: crypto.randomUUID(), event_type: 'customer.created', attempt: i + 1, outcome: 'failed' as const,
    http_status: 500, duration_ms: 12, error: `failure number ${i + 1}`, created_at: new Date(Date.now() - (30 - i) * 60_000)
  }))).execute()
  const first = await agent.get(`/portal/integrations/webhooks/${id}`)
  t.match(first.body, /failure number 30[\s\S]*failure number 6\b/)
  t.notMatch(first.body, /failure number 5\b/)
  const next = /href="([^"]+after=[^"#]+)#log"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&')
  t.ok(next, 'a link to the next page')
  const second = await agent.get(next!)
  t.match(second.body, /failure number 5\b[\s\S]*failure number 1\b/)
  t.notMatch(second.body, /failure number 6\b/)
  t.match(second.body, /First page/)
})
