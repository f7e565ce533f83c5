import t from 'tap'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'
import { createCustomer, viewerFor } from '../../fixtures/customers.ts'
import { createStaffDeal, registrationForm } from '../../fixtures/opportunities.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { RegistrationForm } from '../../../modules/opportunities/opportunities.schemas.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { addEndpoint, runJobs } from '../../fixtures/webhooks.ts'
import { typeNames } from '../../fixtures/webhooks.ts'

type Webhooks = Record<string, { post: { requestBody: { content: { 'application/json': { schema: object } } } } }>

t.test('the OpenAPI document describes every webhook, and what is sent matches it', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const doc = (await app.inject('/api/v1/openapi.json')).json() as { webhooks: Webhooks }
  for (const type of [...typeNames, 'webhook.test']) t.ok(doc.webhooks[type]?.post.requestBody, `${type} is described`)
  const reference = (await app.inject('/api/docs')).body
  t.match(reference, /id="webhooks"[\s\S]*Portal-Signature[\s\S]*id="webhook-post-offer-created"[\s\S]*estimatedRevenue/, 'and on the API reference page, with what they carry')

  const receiver = await Receiver.start(t)
  const staff = await createUser(app, { email: 'hooks@staff.example', role: 'admin' })
  const staffViewer = await viewerFor(app, staff.id)
  const endpoint = await addEndpoint(app, staffViewer, receiver.url, [...typeNames])
  const acme = await createActivePartner(app, 'acme')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const acmeAdmin = await viewerFor(app, acme.admin.id)
  const { opportunities, distribution } = app.diContainer.cradle
  const registered = await opportunities.register(acmeAdmin, parseForm(RegistrationForm, registrationForm(accountId)))
  await opportunities.win(acmeAdmin, registered.id, '30000')
  const { deal, staff: dealer } = await createStaffDeal(app)
  await distribution.offer(dealer, deal.id, acme.partner.id, 48)
  await distribution.accept(acmeAdmin, (await distribution.inbox(acmeAdmin, undefined, 1)).items[0]!.id)
  await app.diContainer.cradle.partners.apply(applicationForm({ company_name: 'Newcomer', website: 'https://newcomer.example', email: 'n@newcomer.example' }))
  await app.diContainer.cradle.webhooks.sendTest(staffViewer, endpoint.id)
  await runJobs(app)

  t.same(receiver.types().sort(), [
    'application.decided', 'application.submitted', 'application.submitted', 'customer.created', 'customer.created',
    'offer.created', 'opportunity.accepted', 'opportunity.registered', 'opportunity.won', 'webhook.test'
  ])
  const ajv = addFormats.default(new Ajv({ strict: false, allErrors: true }))
  for (const got of receiver.received) {
    const validate = ajv.compile(doc.webhooks[got.json.type]!.post.requestBody.content['application/json'].schema)
    t.ok(validate(got.json), `${got.json.type} matches its schema: ${JSON.stringify(validate.errors ?? '')}`)
  }
})
