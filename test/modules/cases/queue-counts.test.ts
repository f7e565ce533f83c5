import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent } from '../../fixtures/cases.ts'

t.test('the queue’s counts per status come from counts kept through every new case, status change, merge and removal', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, caseDesk } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const other = await partnerWithDeal(app, 'other')
  const desk = await staffAgent(app)
  const fresh = async (where = sql`true`) => Object.fromEntries((await sql<{ status: string; n: number }>`select status, count(*)::int as n from cases
    where ${where} group by status`.execute(db)).rows.map((r) => [r.status, r.n]))
  const agree = async (when: string) => {
    t.same((await caseDesk.queue({}, 'activity', undefined, 12)).counts, await fresh(), `${when}: every case`)
    t.same((await caseDesk.queue({ partnerId: acme.partner.id }, 'activity', undefined, 12)).counts, await fresh(sql`partner_id = ${acme.partner.id}`), `${when}: one partner’s`)
    t.same((await caseDesk.queue({ priority: 'high', type: 'problem' }, 'activity', undefined, 12)).counts, await fresh(sql`priority = 'high' and type = 'problem'`), `${when}: by priority and type`)
    t.same((await caseDesk.queue({ assignee: desk.user.id, status: 'waiting' }, 'activity', undefined, 12)).counts, await fresh(sql`assignee_id = ${desk.user.id}`), `${when}: one assignee’s, whatever the status shown`)
    t.same((await caseDesk.queue({ assignee: 'none', priority: 'urgent' }, 'activity', undefined, 12)).counts, await fresh(sql`assignee_id is null and priority = 'urgent'`), `${when}: nobody’s`)
  }

  const first = await openCase(acme.agent, { subject: 'Keys fail' })
  const second = await openCase(acme.agent, { subject: 'Keys still fail' })
  await openCase(other.agent, { subject: 'Invoices are late' })
  await agree('opened')
  await desk.agent.post(`/admin/cases/${first}/take`)
  await desk.agent.post(`/admin/cases/${second}/priority`, { priority: 'urgent' })
  await agree('taken and made urgent')
  await desk.agent.post(`/admin/cases/${first}/replies`, { body: 'Try the new key, please.', status: 'waiting' })
  await agree('replied and waiting on the partner')
  const number = (await db.selectFrom('cases').select('number').where('id', '=', first).executeTakeFirstOrThrow()).number
  t.equal((await desk.agent.post(`/admin/cases/${second}/merge`, { into: String(number) })).statusCode, 303)
  await agree('merged')
  await sql`delete from case_events where case_id = ${second}`.execute(db)
  await sql`delete from cases where id = ${second}`.execute(db)
  await agree('removed')
  t.same((await caseDesk.queue({ q: 'invoices' }, 'activity', undefined, 12)).counts, { new: 1 }, 'another filter is counted over its cases')

  const kept = async () => ({
    partners: (await sql`select partner_id, status, cases from case_status_counts where cases > 0 order by 1, 2`.execute(db)).rows,
    queue: (await sql`select status, priority, type, assignee_id, cases from case_queue_counts where cases > 0 order by 1, 2, 3, 4`.execute(db)).rows
  })
  const before = await kept()
  await sql`select case_status_counts_rebuild()`.execute(db)
  t.same(await kept(), before, 'a rebuild gives the same counts')
})
