import t from 'tap'
import { JobRunner } from '../../../core/background/jobs/job-runner.ts'
import { systemActor } from '../../../core/data/audit/audit.service.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent, staffPassword } from '../../fixtures/cases.ts'

const at = (iso: string) => new Date(iso)

t.test('targets with a controlled clock: due in business hours, paused while waiting on the partner, resumed on their reply; one at-risk and one breach notice under two runners', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, clock, caseTargets, jobs } = app.diContainer.cradle
  const realNow = clock.now
  t.teardown(() => { clock.now = realNow })
  const setClock = (iso: string) => { clock.now = () => Date.parse(iso) }

  const admin = await createUser(app, { email: 'boss@staff.example', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(admin.email, staffPassword)
  const refused = await boss.post('/admin/cases/targets', { first_high: '0', resolution_high: 'x', time_zone: 'Mars/Olympus', start: '17:00', end: '09:00', holidays: '2026-02-30' })
  t.equal(refused.statusCode, 422)
  for (const message of [/First response \(high\) must be a number of hours above 0/, /Time zone must be one like/, /End must be after the start/, /2026-02-30/, /Choose at least one working day/]) t.match(refused.body, message)
  t.equal((await db.selectFrom('case_calendar').select('time_zone').executeTakeFirstOrThrow()).time_zone, 'UTC', 'nothing was saved')
  const saved = await boss.post('/admin/cases/targets', {
    first_urgent: '1', resolution_urgent: '8', first_high: '4', resolution_high: '8', first_normal: '8', resolution_normal: '40', first_low: '16', resolution_low: '80',
    time_zone: 'Europe/Berlin', days: ['1', '2', '3', '4', '5'], start: '09:00', end: '17:00', holidays: '2026-12-25 Christmas Day'
  })
  t.equal(saved.statusCode, 303)
  t.match((await boss.get('/admin/cases/targets')).body, '2026-12-25 Christmas Day')

  const acme = await partnerWithDeal(app, 'acme')
  setClock('2026-12-24T14:00:00Z')
  const id = await openCase(acme.agent, { priority: 'high' })
  const row = () => db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.match(await row(), { first_response_due_at: at('2026-12-28T10:00:00Z'), resolution_due_at: at('2026-12-28T14:00:00Z') }, 'four and eight business hours after Thursday 15:00 in Berlin')
  t.match((await acme.agent.get(`/portal/cases/${id}`)).body, /We answer by[\s\S]*28 Dec 2026, 10:00/)

  const desk = await staffAgent(app)
  await desk.agent.post(`/admin/cases/${id}/take`)
  setClock('2026-12-28T09:00:00Z')
  await desk.agent.post(`/admin/cases/${id}/replies`, { body: 'Which licence server do you use?', next_status: 'waiting' })
  t.match(await row(), { status: 'waiting', first_response_at: at('2026-12-28T09:00:00Z'), paused_at: at('2026-12-28T09:00:00Z') }, 'the clock stops while the case waits on the partner')
  t.match((await acme.agent.get(`/portal/cases/${id}`)).body, 'Paused until you answer')

  setClock('2026-12-29T09:00:00Z')
  await acme.agent.post(`/portal/cases/${id}/replies`, { body: 'The old one.' })
  t.match(await row(), { status: 'open', paused_at: null, paused_minutes: 480, resolution_due_at: at('2026-12-29T14:00:00Z') },
    'the partner’s reply restarts it: eight business hours paused move the resolution to Tuesday 15:00')

  const mails = () => db.selectFrom('mail_outbox').select(['to_address', 'subject']).where('to_address', '=', 'desk@staff.example').orderBy('created_at').execute()
  const second = new JobRunner({ db, logger: app.log })
  second.register('cases.targets', (_payload, trx) => caseTargets.sweep(trx))
  const sweepTwice = async () => {
    await db.transaction().execute(async (trx) => {
      await jobs.enqueue(trx, 'cases.targets')
      await jobs.enqueue(trx, 'cases.targets')
    })
    await Promise.all([jobs.runDue(), second.runDue()])
  }

  setClock('2026-12-29T10:00:00Z')
  await sweepTwice()
  t.same(await mails(), [], 'four of sixteen hours left: not yet at risk')
  setClock('2026-12-29T11:30:00Z')
  await sweepTwice()
  t.match(await row(), { at_risk_at: at('2026-12-29T11:30:00Z'), breached_at: null })
  t.match(await mails(), [{ subject: /is at risk/ }], 'one at-risk notice to the assignee')
  t.match((await desk.agent.get('/admin/cases?target=at_risk')).body, 'Licence keys do not activate', 'the queue filters cases at risk')

  setClock('2026-12-29T14:00:00Z')
  await sweepTwice()
  await sweepTwice()
  t.match(await row(), { breached_at: at('2026-12-29T14:00:00Z') })
  const sent = await mails()
  t.equal(sent.length, 2, 'one breach notice, whatever the number of runners and sweeps')
  t.match(sent[1], { subject: /missed its resolution target/ })
  t.match((await desk.agent.get('/admin/cases?target=breached')).body, /Missed/)
  t.notMatch((await desk.agent.get('/admin/cases?target=at_risk')).body, 'Licence keys do not activate', 'a missed case is no longer “at risk”')
})

t.test('a partner level’s own targets replace the priority’s for its partners’ cases; an empty field keeps the priority’s', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, clock, partners, jobs } = app.diContainer.cradle
  const realNow = clock.now
  t.teardown(() => { clock.now = realNow })
  const setClock = (iso: string) => { clock.now = () => Date.parse(iso) }

  const acme = await partnerWithDeal(app, 'acme')
  const beta = await partnerWithDeal(app, 'beta')
  const silver = (await partners.levels())[0]!
  const gold = await partners.saveLevel(systemActor, null, { name: 'Gold', rank: 9, benefits: '' })
  await db.updateTable('partners').set({ level_id: gold.id }).where('id', '=', beta.partner.id).execute()

  const admin = await createUser(app, { email: 'boss@staff.example', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(admin.email, staffPassword)
  const form = {
    first_urgent: '1', resolution_urgent: '8', first_high: '4', resolution_high: '16', first_normal: '8', resolution_normal: '40', first_low: '16', resolution_low: '80',
    time_zone: 'UTC', days: ['1', '2', '3', '4', '5'], start: '09:00', end: '17:00', holidays: ''
  }
  const page = await boss.get('/admin/cases/targets')
  t.match(page.body, /Targets per partner level[\s\S]*Gold[\s\S]*/)
  t.match(page.body, `name="first_high_${silver.id}"`)

  const refused = await boss.post('/admin/cases/targets', { ...form, [`first_high_${silver.id}`]: 'soon' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, `First response (high, ${silver.name}) must be a number of hours above 0`)
  t.equal((await db.selectFrom('case_level_targets').selectAll().execute()).length, 0, 'nothing was saved')

  t.equal((await boss.post('/admin/cases/targets', { ...form, [`first_high_${silver.id}`]: '2', [`resolution_high_${silver.id}`]: '' })).statusCode, 303)
  t.same(await db.selectFrom('case_level_targets').selectAll().execute(),
    [{ level_id: silver.id, priority: 'high', first_response_minutes: 120, resolution_minutes: null }], 'only what the level sets is kept')
  t.match((await boss.get('/admin/cases/targets')).body, new RegExp(`name="first_high_${silver.id}" value="2"`))

  setClock('2026-12-07T09:00:00Z')
  const row = (id: string) => db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const silverCase = await openCase(acme.agent, { priority: 'high' })
  const goldCase = await openCase(beta.agent, { priority: 'high' })
  t.match(await row(silverCase), { first_response_due_at: at('2026-12-07T11:00:00Z'), resolution_due_at: at('2026-12-08T17:00:00Z') },
    'Silver’s two hours to answer, the priority’s sixteen to resolve')
  t.match(await row(goldCase), { first_response_due_at: at('2026-12-07T13:00:00Z'), resolution_due_at: at('2026-12-08T17:00:00Z') }, 'Gold sets nothing: the priority’s')

  setClock('2026-12-07T10:40:00Z')
  await db.transaction().execute((trx) => jobs.enqueue(trx, 'cases.targets'))
  await jobs.runDue()
  t.match(await row(silverCase), { at_risk_at: at('2026-12-07T10:40:00Z') }, 'twenty minutes of the level’s two hours left: at risk')
  t.match(await row(goldCase), { at_risk_at: null }, 'two hours twenty of four left: not at risk')

  const desk = await staffAgent(app)
  await desk.agent.post(`/admin/cases/${goldCase}/priority`, { priority: 'urgent' })
  t.match(await row(goldCase), { first_response_due_at: at('2026-12-07T10:00:00Z') }, 'a new priority takes that priority’s target')
})
