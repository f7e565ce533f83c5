import t from 'tap'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { receiveEvents } from '../../fixtures/events.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'

const { app } = await buildTestApp(t)
const { partners } = app.diContainer.cradle
const delivered = receiveEvents(app, [
  'partner.approved', 'partner.rejected', 'partner.suspended', 'partner.reactivated', 'partner.employee-invited', 'partner.employee-removed', 'partner.employee-restored'
])
const staff = await createUser(app, { email: 'decider@staff.example', role: 'admin' })
const actor = { id: staff.id, name: staff.name }

t.test('approval, rejection, suspension and an invitation are told to subscribers after they commit', async (t) => {
  const { partner, email, password } = await createActivePartner(app, 'eventco')
  t.match(await delivered(), [{ name: 'partner.approved', subject: partner.id, payload: { partnerId: partner.id } }])

  const { application } = await partners.apply(applicationForm({ company_name: 'Nope Ltd', website: 'https://nope.example', email: 'a@nope.example' }))
  await partners.reject(actor, application.id, 'Outside our territories')
  t.match(await delivered(), [{ name: 'partner.rejected', payload: { reason: 'Outside our territories', by: staff.id } }])

  await partners.setSuspended(actor, partner.id, true, 'Unpaid invoices')
  await partners.setSuspended(actor, partner.id, false)
  t.match(await delivered(), [
    { name: 'partner.suspended', subject: partner.id, payload: { reason: 'Unpaid invoices' } },
    { name: 'partner.reactivated', subject: partner.id }
  ], 'in the order they happened')

  const admin = new Agent(app)
  await admin.signIn(email, password)
  const invited = await admin.post('/portal/team', { name: 'Ivy Invited', email: 'ivy@eventco.example', job_title: 'Sales', customers_scope: 'own', opportunities_scope: 'own', cases_scope: 'own' })
  t.equal(invited.statusCode, 303)
  const userId = /\/portal\/team\/([0-9a-f-]{36})/.exec(invited.headers.location as string)?.[1]
  t.match(await delivered(), [{ name: 'partner.employee-invited', payload: { partnerId: partner.id, userId } }])

  for (const step of ['remove', 'remove', 'restore']) t.equal((await admin.post(`/portal/team/${userId}/${step}`)).statusCode, 303, step)
  t.match(await delivered(), [
    { name: 'partner.employee-removed', subject: partner.id, payload: { partnerId: partner.id, userId } },
    { name: 'partner.employee-restored', subject: partner.id, payload: { userId } }
  ], 'removing someone already removed tells nobody again')
})

t.test('a refused change tells nobody', async (t) => {
  const { partner } = await createActivePartner(app, 'refusedco')
  await delivered()
  await t.rejects(partners.setSuspended(actor, partner.id, false), /Only a suspended partner/)
  t.same(await delivered(), [])
})
