import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import { lookup } from 'node:dns/promises'
import t, { type Test } from 'tap'
import { buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'
import { accountForm, createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { registrationForm } from '../../fixtures/opportunities.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { addEndpoint, deliveriesOf, runJobs } from '../../fixtures/webhooks.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { postJson } from '../../../modules/webhooks/webhook-request.ts'
import { verifySignature } from '../../../modules/webhooks/webhook-signature.ts'

const allowPrivate = { WEBHOOKS_ALLOW_PRIVATE: 'true' }
const hour = 3_600_000

async function setup(t: Test) {
  const { app } = await buildTestApp(t, allowPrivate)
  const receiver = await Receiver.start(t)
  const acme = await createActivePartner(app, 'acme')
  return { app, receiver, acme }
}

t.test('a delivery carries the event and the resource as the API shows it, signed with the endpoint’s secret', async (t) => {
  const { app, receiver, acme } = await setup(t)
  const endpoint = await addEndpoint(app, acme.admin.id, receiver.url, ['customer.created', 'customer.updated'])
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  await runJobs(app)

  t.equal(receiver.received.length, 1)
  const [got] = receiver.received
  t.match(got!.json, { type: 'customer.created', data: { id: accountId, name: 'Globex', owner: { id: acme.admin.id } } })
  t.match(got!.json.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'time in ISO 8601 UTC')
  t.equal(got!.headers['portal-event-id'], got!.json.id)
  const signature = String(got!.headers['portal-signature'])
  t.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/, 'one signature')
  t.ok(verifySignature(signature, endpoint.secret, got!.body), 'it verifies with the secret')
  t.notOk(verifySignature(signature, endpoint.secret, got!.body.replace('Globex', 'Globox')), 'not for another body')
  t.notOk(verifySignature(signature, 'whsec_wrong', got!.body), 'nor with another secret')

  const [logged] = await deliveriesOf(app, endpoint.id)
  t.match(logged, { outcome: 'delivered', http_status: 200, attempt: 1, event_type: 'customer.created' })
  t.type(logged!.duration_ms, 'number')

  // A rotated secret: for 24 hours both sign, then only the new one.
  const viewer = await viewerFor(app, acme.admin.id)
  const { webhooks, customers, webhookDelivery } = app.diContainer.cradle
  const rotated = await webhooks.rotateSecret(viewer, endpoint.id)
  await customers.updateAccount(viewer, accountId, { ...accountForm({ name: 'Globex Corp', website: '', domain: '' }), owner_id: '' } as never)
  await runJobs(app)
  const second = receiver.received[1]!
  const header = String(second.headers['portal-signature'])
  t.match(header, /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/, 'two signatures during the overlap')
  t.ok(verifySignature(header, rotated, second.body), 'the new secret verifies')
  t.ok(verifySignature(header, endpoint.secret, second.body), 'and so does the old one')

  const later = new Date(Date.now() + 25 * hour)
  webhookDelivery.now = () => later
  await customers.updateAccount(viewer, accountId, { ...accountForm({ name: 'Globex Inc', website: '', domain: '' }), owner_id: '' } as never)
  await runJobs(app)
  const third = receiver.received[2]!
  const after = String(third.headers['portal-signature'])
  t.match(after, /^t=\d+,v1=[0-9a-f]{64}$/, 'one signature after the overlap')
  t.ok(verifySignature(after, rotated, third.body, later.getTime()), 'the new secret verifies')
  t.notOk(verifySignature(after, endpoint.secret, third.body, later.getTime()), 'the old one no longer')
})

t.test('a delivery answered 500 is retried, logged each time, until it succeeds; later events of the record wait their turn', async (t) => {
  const { app, receiver, acme } = await setup(t)
  const endpoint = await addEndpoint(app, acme.admin.id, receiver.url, ['customer.created', 'customer.updated'])
  receiver.answer(500, 503)
  const viewer = await viewerFor(app, acme.admin.id)
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  for (const name of ['Globex 2', 'Globex 3']) {
    await app.diContainer.cradle.customers.updateAccount(viewer, accountId, { ...accountForm({ name, website: '', domain: '' }), owner_id: '' } as never)
  }
  await app.diContainer.cradle.jobs.runDue()
  t.same(receiver.types(), ['customer.created'], 'the first failed; the updates of the same account wait')
  const [failed] = await deliveriesOf(app, endpoint.id)
  t.match(failed, { outcome: 'failed', http_status: 500, attempt: 1, error: /HTTP 500/, response_excerpt: 'failure 500' })
  const job = await app.diContainer.cradle.db.selectFrom('jobs').select(['run_at', 'done_at']).where('kind', '=', 'webhook.deliver').orderBy('seq').executeTakeFirstOrThrow()
  t.equal(job.done_at, null, 'the delivery waits for its retry')
  t.ok(job.run_at.getTime() > Date.now() + 20_000, 'after a pause')

  await runJobs(app, 3)
  t.same(receiver.types(), ['customer.created', 'customer.created', 'customer.created', 'customer.updated', 'customer.updated'])
  const updates = receiver.received.slice(3).map((r) => r.json)
  t.ok(updates[0]!.time < updates[1]!.time && updates[0]!.id !== updates[1]!.id, 'the updates in the order they happened')
  t.equal(updates[1]!.data.name, 'Globex 3', 'carrying the account as it is')
  t.equal(new Set(receiver.received.slice(0, 3).map((r) => r.json.id)).size, 1, 'every retry is the same event')
  t.same((await deliveriesOf(app, endpoint.id)).map((d) => `${d.outcome}:${d.attempt}`), ['failed:1', 'failed:2', 'delivered:3', 'delivered:1', 'delivered:1'])
})

t.test('a delivery that keeps failing is given up after 24 hours', async (t) => {
  const { app, receiver, acme } = await setup(t)
  const endpoint = await addEndpoint(app, acme.admin.id, receiver.url, ['customer.created'])
  const { webhookDelivery, db } = app.diContainer.cradle
  const start = Date.now()
  receiver.answer(...Array(50).fill(500))
  await createCustomer(app, acme.admin.id, 'Globex')
  await runJobs(app, 3)
  t.equal(receiver.received.length, 4, 'retried')
  webhookDelivery.now = () => new Date(start + 23.9 * hour)
  await runJobs(app)
  t.same((await deliveriesOf(app, endpoint.id)).map((d) => d.outcome), ['failed', 'failed', 'failed', 'failed', 'gave-up'], 'the next pause would pass 24 hours: given up')
  const job = await db.selectFrom('jobs').select(['done_at', 'failed_at']).where('kind', '=', 'webhook.deliver').executeTakeFirstOrThrow()
  t.ok(job.done_at, 'the job is finished')
  await runJobs(app, 2)
  t.equal(receiver.received.length, 5, 'nothing more is sent')
})

t.test('an endpoint failing for 3 days is switched off and its owner e-mailed', async (t) => {
  const { app, receiver, acme } = await setup(t)
  const endpoint = await addEndpoint(app, acme.admin.id, receiver.url, ['customer.created'])
  const { webhookDelivery, db } = app.diContainer.cradle
  const start = Date.now()
  receiver.answer(...Array(10).fill(500))
  await createCustomer(app, acme.admin.id, 'Globex')
  await runJobs(app)
  t.match(await db.selectFrom('webhook_endpoints').select(['enabled', 'failing_since']).where('id', '=', endpoint.id).executeTakeFirst(), { enabled: true, failing_since: Date })

  webhookDelivery.now = () => new Date(start + 72 * hour + 60_000)
  await createCustomer(app, acme.admin.id, 'Initech')
  await runJobs(app)
  const after = await db.selectFrom('webhook_endpoints').select(['enabled', 'disabled_reason']).where('id', '=', endpoint.id).executeTakeFirstOrThrow()
  t.equal(after.enabled, false, 'switched off')
  t.match(after.disabled_reason, /3 days/)
  const mail = await db.selectFrom('mail_outbox').selectAll().where('to_address', '=', acme.email).where('subject', '=', 'A webhook endpoint was switched off').execute()
  t.equal(mail.length, 1, 'its owner is told')
  t.match(mail[0]!.body, new RegExp(`/portal/integrations/webhooks/${endpoint.id}`))

  const sent = receiver.received.length
  await createCustomer(app, acme.admin.id, 'Umbrella')
  await runJobs(app)
  t.equal(receiver.received.length, sent, 'nothing is sent to it any more')
})

t.test('a change that rolls back sends nothing', async (t) => {
  const { app, receiver, acme } = await setup(t)
  await addEndpoint(app, acme.admin.id, receiver.url, ['customer.removed', 'opportunity.registered'])
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const viewer = await viewerFor(app, acme.admin.id)
  const { opportunities, customers } = app.diContainer.cradle
  await opportunities.register(viewer, parseForm(RegistrationForm, registrationForm(accountId)))
  await t.rejects(customers.removeAccount(viewer, accountId), /cannot be removed/, 'the removal is refused and rolled back')
  await runJobs(app)
  t.same(receiver.types(), ['opportunity.registered'], 'the removal that never happened is not sent')
})

t.test('a partner’s endpoint receives only its company’s events; a staff endpoint every one', async (t) => {
  const { app, receiver: acmeReceiver, acme } = await setup(t)
  const umbrella = await createActivePartner(app, 'umbrella')
  const umbrellaReceiver = await Receiver.start(t)
  const staffReceiver = await Receiver.start(t)
  const staff = await createUser(app, { email: 'hooks@staff.example', role: 'admin' })
  await runJobs(app)
  const all = ['customer.created', 'opportunity.registered', 'application.submitted']
  await addEndpoint(app, acme.admin.id, acmeReceiver.url, all.slice(0, 2))
  await addEndpoint(app, umbrella.admin.id, umbrellaReceiver.url, all.slice(0, 2))
  await addEndpoint(app, await viewerFor(app, staff.id), staffReceiver.url, all)

  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  await app.diContainer.cradle.opportunities.register(await viewerFor(app, acme.admin.id), parseForm(RegistrationForm, registrationForm(accountId)))
  await app.diContainer.cradle.partners.apply(applicationForm({ company_name: 'newcomer Ltd', website: 'https://newcomer.example', email: 'ann@newcomer.example' }))
  await runJobs(app)

  t.same(acmeReceiver.types(), ['customer.created', 'opportunity.registered'])
  t.equal(acmeReceiver.received[1]!.json.data.sharedWithUs, false)
  t.same(umbrellaReceiver.types(), [], 'another partner hears nothing of it')
  t.same(staffReceiver.types().sort(), ['application.submitted', 'customer.created', 'opportunity.registered'])
  t.match(staffReceiver.received.find((r) => r.json.type === 'application.submitted')!.json.data, { company: 'newcomer Ltd', status: 'pending' })
})

t.test('private, loopback and link-local addresses are refused unless allowed', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const viewer = await viewerFor(app, acme.admin.id)
  const { webhooks } = app.diContainer.cradle
  for (const url of ['http://example.com/hooks', 'https://127.0.0.1/hooks', 'https://localhost/hooks', 'https://[::1]/hooks', 'https://169.254.169.254/latest', 'https://10.1.2.3/', 'https://[::ffff:192.168.0.1]/']) {
    const refused = await webhooks.create(viewer, { url, description: '', events: ['customer.created'] }).catch((err: unknown) => err)
    t.match(refused, { fields: { url: /https|internet/ } }, `${url} is refused`)
  }
  t.ok(await webhooks.create(viewer, { url: 'https://hooks.example.com/portal', description: '', events: ['customer.created'] }), 'a public https address is taken')

  // At delivery time the name is resolved and every address it has is checked.
  const host = hostname()
  const addresses = await lookup(host, { all: true }).catch(() => [])
  if (addresses.length === 0) return t.comment(`${host} does not resolve here`)
  await t.rejects(postJson(`https://${host}:9/hooks`, '{}', {}, { allowPrivate: false, timeoutMs: 2000 }), { name: 'RefusedAddress', message: /not a public address/ }, `${host} (${addresses.map((a) => a.address).join(', ')}) is not called`)

  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => silent.closeAllConnections() ?? silent.close())
  const started = Date.now()
  await t.rejects(postJson(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, '{}', {}, { allowPrivate: true, timeoutMs: 300 }), /no answer within 0.3 s/, 'a receiver that does not answer is given up on')
  t.ok(Date.now() - started < 2000, 'at the time limit')

  const receiver = await Receiver.start(t)
  const answer = await postJson(receiver.url, '{"ok":true}', {}, { allowPrivate: true, timeoutMs: 2000 })
  t.equal(answer.status, 200, 'allowed (WEBHOOKS_ALLOW_PRIVATE), the local receiver is called')
})
