import t from 'tap'
import { sql } from 'kysely'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Agent, buildTestApp, createUser } from '../helper.ts'
import { createActivePartner, createEmployee } from '../fixtures/partners.ts'
import { viewerFor } from '../fixtures/customers.ts'
import { ApiClient, issueKey } from '../fixtures/api.ts'
import { Invalid } from '../../core/lib/errors.ts'

type Doc = { paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }>> }
/** Actions that take nothing but the record they act on. */
const actionsWithoutInput = ['/api/v1/offers/:id/accept', '/api/v1/partners/:id/reactivate', '/api/v1/team/:id/remove', '/api/v1/team/:id/restore']
const openApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}')

t.test('the OpenAPI document is valid and describes every /api/v1 route with its schemas', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject('/api/v1/openapi.json')
  t.equal(res.statusCode, 200)
  const doc = res.json() as Doc & { openapi: string }
  t.equal(doc.openapi, '3.1.0')
  const validation = await new Validator().validate(doc)
  t.ok(validation.valid, `the document validates: ${JSON.stringify(validation.errors ?? '')}`)

  const routes = app.routeCatalog.filter((r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json')
  t.ok(routes.length >= 7, `API routes: ${routes.length}`)
  for (const route of routes) {
    const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()]
    t.ok(op, `${route.method} ${route.url} is in the document`)
    if (!op) continue
    t.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${route.method} ${route.url} describes its success`)
    t.ok(op.responses['4XX'], `${route.method} ${route.url} describes its errors`)
    if (route.url.includes(':')) t.ok(op.parameters?.length, `${route.method} ${route.url} describes its parameters`)
    if ((route.method === 'POST' || route.method === 'PATCH') && !actionsWithoutInput.includes(route.url)) t.ok(op.requestBody, `${route.method} ${route.url} describes its body`)
  }
})

t.test('an API route without a response schema stops the app from starting', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal((await app.inject('/api/v1/openapi.json')).statusCode, 200, 'the real routes all have one')
  const { default: api } = await import('../../core/api/api.ts')
  const Fastify = (await import('fastify')).default
  const bare = Fastify()
  bare.decorate('diContainer', app.diContainer)
  bare.decorate('rateLimit', app.rateLimit)
  await t.rejects(async () => bare.register(api, {
    features: [{ name: 'careless', api: async (v1) => { v1.get('/careless', { config: { access: 'partner' } }, async () => ({})) } }],
    publicUrl: 'http://portal.test', rateLimit: 10, validateResponses: false
  }).ready(), /API route GET \/api\/v1\/careless declares no response schema/)
  await bare.close()
})

t.test('a key authenticates the API; a session cookie does not, and bad keys get 401 problems', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const key = await issueKey(app, acme.admin, { name: 'CRM sync' })
  const me = await new ApiClient(app, key.token).get('/api/v1/me')
  t.equal(me.statusCode, 200)
  t.match(me.json(), { key: { id: key.id, name: 'CRM sync' }, kind: 'partner', partnerId: acme.partner.id, issuedBy: { email: acme.email } })

  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)
  const withCookie = await agent.get('/api/v1/me')
  t.equal(withCookie.statusCode, 401, 'the session cookie is not an API credential')
  t.equal(withCookie.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(withCookie.headers['www-authenticate'], 'Bearer realm="api"')
  t.match(withCookie.json(), { status: 401, code: 'unauthenticated', title: 'Not authenticated' })

  for (const token of ['nonsense', `pp_${'x'.repeat(43)}`, key.token.slice(0, -1)]) {
    const res = await new ApiClient(app, token).get('/api/v1/me')
    t.equal(res.statusCode, 401, `${token.slice(0, 12)}… is refused`)
  }
  const unknownRoute = await new ApiClient(app, key.token).get('/api/v1/nothing-here')
  t.equal(unknownRoute.statusCode, 404)
  t.match(unknownRoute.json(), { code: 'not_found' })
})

t.test('a revoked, expired, idle, suspended or removed issuer’s key fails on its very next request', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, apiKeys, partners, partnerUsers } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const works = async (token: string) => (await new ApiClient(app, token).get('/api/v1/me')).statusCode

  const revoked = await issueKey(app, acme.admin)
  t.equal(await works(revoked.token), 200)
  await apiKeys.revoke(await viewerFor(app, acme.admin.id), revoked.id)
  t.equal(await works(revoked.token), 401, 'revoked')

  const expiring = await issueKey(app, acme.admin, { lifetime: '30' })
  t.equal(await works(expiring.token), 200)
  await db.updateTable('api_keys').set({ expires_at: sql`now() - interval '1 second'` }).where('id', '=', expiring.id).execute()
  t.equal(await works(expiring.token), 401, 'expired')

  const idle = await issueKey(app, acme.admin)
  await db.updateTable('api_keys').set({ created_at: sql`now() - interval '400 days'`, last_used_at: sql`now() - interval '179 days'` }).where('id', '=', idle.id).execute()
  t.equal(await works(idle.token), 200, 'used 179 days ago: still works, and the use is recorded')
  const touched = await db.selectFrom('api_keys').select(sql<boolean>`last_used_at > now() - interval '1 minute'`.as('recent')).where('id', '=', idle.id).executeTakeFirstOrThrow()
  t.ok(touched.recent)
  await db.updateTable('api_keys').set({ last_used_at: sql`now() - interval '181 days'` }).where('id', '=', idle.id).execute()
  t.equal(await works(idle.token), 401, 'unused for more than 180 days')

  const staff = await createUser(app, { email: 'boss@staff.example', role: 'admin' })
  const companyKey = await issueKey(app, acme.admin)
  await partners.setSuspended({ id: staff.id, name: staff.name }, acme.partner.id, true, 'Unpaid fees')
  t.equal(await works(companyKey.token), 401, 'the company is suspended')
  await partners.setSuspended({ id: staff.id, name: staff.name }, acme.partner.id, false)
  t.equal(await works(companyKey.token), 200, 'and works again once it is reactivated')

  const ella = await createEmployee(app, acme.partner.id, 'ella@acme.example')
  await partnerUsers.setRole({ id: acme.admin.id, name: 'admin' }, acme.partner.id, ella.id, 'admin')
  const ellasKey = await issueKey(app, { ...ella, role: 'admin' })
  t.equal(await works(ellasKey.token), 200)
  await partnerUsers.setAccess({ id: acme.admin.id, name: 'admin' }, acme.partner.id, ella.id, false)
  t.equal(await works(ellasKey.token), 401, 'the issuer was removed')
  await partnerUsers.setAccess({ id: acme.admin.id, name: 'admin' }, acme.partner.id, ella.id, true)
  t.equal(await works(ellasKey.token), 401, 'restoring the issuer does not bring the key back')
  t.equal(await works(companyKey.token), 200, 'the other keys of the company go on working')
})

t.test('a key can do no more than its issuer, when it is issued and at every call', async (t) => {
  const { app } = await buildTestApp(t)
  const { apiKeys, channelAreas, partnerUsers } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme')
  const member = await createEmployee(app, acme.partner.id, 'mo@acme.example', { customers: { scope: 'own', create: true, edit: false } })
  const memberViewer = await viewerFor(app, member.id)
  const wide = channelAreas.normalise({ customers: { scope: 'company', create: true, edit: true } })
  await t.rejects(apiKeys.issue(memberViewer, { name: 'Too wide', lifetime: 'never' }, wide), new Invalid({ customers_scope: 'A key cannot do more in customers than you can.' }), 'wider than the issuer: refused')
  await t.rejects(apiKeys.issue(memberViewer, { name: '', lifetime: 'forever' }, channelAreas.normalise({})), new Invalid({ name: 'Give the key a name that says what uses it.', lifetime: 'Choose how long the key works.' }), 'a name and a lifetime are required')
  t.equal((await app.diContainer.cradle.db.selectFrom('api_keys').select('id').execute()).length, 0, 'and no key was made')

  const key = await issueKey(app, acme.admin, { permissions: { customers: { scope: 'company', create: true, edit: true } } })
  t.match((await new ApiClient(app, key.token).get('/api/v1/me')).json().permissions.customers, { scope: 'company', create: true })
  await partnerUsers.setRole({ id: acme.admin.id, name: 'x' }, acme.partner.id, member.id, 'admin')
  await partnerUsers.setRole({ id: member.id, name: 'x' }, acme.partner.id, acme.admin.id, 'member')
  await partnerUsers.setPermissions({ id: member.id, name: 'x' }, acme.partner.id, acme.admin.id, channelAreas.normalise({ customers: { scope: 'own', create: false, edit: false } }))
  const narrowed = (await new ApiClient(app, key.token).get('/api/v1/me')).json().permissions.customers
  t.match(narrowed, { scope: 'own', create: false, edit: false }, 'the issuer lost access: so did the key')
})

t.test('each key is rate-limited on its own: 429 with Retry-After', async (t) => {
  const { app } = await buildTestApp(t, { API_RATE_LIMIT: '2' })
  const acme = await createActivePartner(app, 'acme')
  const first = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  const second = new ApiClient(app, (await issueKey(app, acme.admin)).token)
  t.equal((await first.get('/api/v1/me')).statusCode, 200)
  t.equal((await first.get('/api/v1/me')).statusCode, 200)
  const limited = await first.get('/api/v1/me')
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when')
  t.match(limited.json(), { code: 'rate_limited', status: 429 })
  t.equal((await second.get('/api/v1/me')).statusCode, 200, 'another key is counted apart')
})

t.test('what a key changes is audited with the key’s name as the actor', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const key = await issueKey(app, acme.admin, { name: 'CRM sync' })
  const created = await new ApiClient(app, key.token).post('/api/v1/customers/accounts', { name: 'Initech' })
  t.equal(created.statusCode, 201)
  const entry = await app.diContainer.cradle.db.selectFrom('audit_log').select(['actor_name', 'actor_id', 'action'])
    .where('action', '=', 'customer.created').where('entity_id', '=', created.json().id).executeTakeFirstOrThrow()
  t.equal(entry.actor_name, 'API key “CRM sync”')
  t.equal(entry.actor_id, acme.admin.id, 'and it is tied to the person who issued the key')
  const issued = await app.diContainer.cradle.db.selectFrom('audit_log').select('action').where('entity_id', '=', key.id).execute()
  t.same(issued.map((e) => e.action), ['api-key.issued'], 'issuing the key was audited too')
})

t.test('the API reference is a page of its own, drawn from the document, with no inline script', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject('/api/docs')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>API reference<\/h1>/)
  t.match(res.body, /\/api\/v1\/customers\/accounts\/\{id\}/)
  t.match(res.body, /List opportunities/)
  t.notMatch(res.body, /<script(?![^>]*src=)/, 'no inline script')
  t.match(String(res.headers['content-security-policy']), /script-src 'self'/)
})
