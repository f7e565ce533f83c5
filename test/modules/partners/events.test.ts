import t from 'tap'
import type { DomainEvent, EventName } from '../../../core/events/events.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { applicationForm, createActivePartner } from '../../fixtures/partners.ts'

const { app } = await buildTestApp(t)
const { partners, events, jobs } = app.diContainer.cradle
const received: Array<{ name: string; subject: string; payload: unknown }> = []
const names: EventName[] = ['partner.approved', 'partner.rejected', 'partner.suspended', 'partner.reactivated', 'partner.employee-invited']
for (const name of names) {
  events.subscribe(name, 'test', async (event: DomainEvent) => {
    received.push({ name: event.name, subject: event.subject, payload: event.payload })
  })
}
const staff = await createUser(app, { email: 'decider@staff.example', role: 'admin' })
const actor = { id: staff.id, name: staff.name }
const delivered = async () => {
  await jobs.runDue()
  return received.splice(0)
}

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
})

t.test('a refused change tells nobody', async (t) => {
  const { partner } = await createActivePartner(app, 'refusedco')
  await delivered()
  await t.rejects(partners.setSuspended(actor, partner.id, false), /Only a suspended partner/)
  t.same(await delivered(), [])
})
