import t from 'tap'
import { buildTestApp } from '../../helper.ts'
import { partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'

t.test('an account with a live deal cannot be removed; once its deals are closed it can, and the deals keep the customer name', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const { accountId, agent } = await partnerWithCustomer(app)

  const register = async (name: string) =>
    String((await agent.post('/portal/opportunities', registrationForm(accountId, { name }))).headers.location).split('/').pop()!

  const won = await register('First site')
  const refused = await agent.post(`/portal/customers/${accountId}/remove`)
  t.equal(refused.statusCode, 409)
  t.match(refused.body, /Globex cannot be removed: it still has 1 open opportunity/)
  t.equal((await agent.post(`/portal/opportunities/${won}/win`, { actual_revenue: '30000' })).statusCode, 303)
  const lost = await register('Second site')
  t.equal((await agent.post(`/portal/opportunities/${lost}/lose`, { reason: 'Went with a competitor.' })).statusCode, 303)
  t.equal((await agent.post(`/portal/customers/${accountId}/remove`)).statusCode, 303, 'closed deals do not hold the account')

  const deals = await db.selectFrom('opportunities').select(['account_id', 'customer_name', 'status']).where('id', 'in', [won, lost]).orderBy('status', 'desc').execute()
  t.same(deals, [{ account_id: null, customer_name: 'Globex', status: 'won' }, { account_id: null, customer_name: 'Globex', status: 'lost' }])
  const page = await agent.get(`/portal/opportunities/${won}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /<dt>Customer<\/dt><dd>Globex<\/dd>/, 'the won deal still names its customer, without a link')
})
