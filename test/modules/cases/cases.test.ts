import t from 'tap'
import { buildTestApp } from '../../helper.ts'
import { openCase, partnerWithDeal, postWithFile, staffAgent } from '../../fixtures/cases.ts'

t.test('a partner opens a case about a deal; staff reply and note; the partner sees the reply, never the note', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const form = await acme.agent.get(`/portal/cases/new?opportunity_id=${acme.dealId}`)
  t.equal(form.statusCode, 200)
  t.match(form.body, /acme deal/, 'the deal is chosen in the form')

  const id = await openCase(acme.agent, { opportunity_id: acme.dealId, account_id: acme.accountId })
  const saved = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.match(saved, { status: 'new', opportunity_name: 'acme deal', account_name: 'acme customer', priority: 'high', created_by: acme.admin.id })
  const page = await acme.agent.get(`/portal/cases/${id}`)
  t.match(page.body, `CASE-${saved.number}`)
  t.match(page.body, '<strong>yesterday</strong>', 'the description is rendered Markdown')
  t.match((await acme.agent.get('/portal/cases')).body, 'Licence keys do not activate')

  const staff = await staffAgent(app)
  t.match((await staff.agent.get('/admin/cases')).body, 'Licence keys do not activate', 'the case is in the staff queue')
  t.equal((await staff.agent.post(`/admin/cases/${id}/take`)).statusCode, 303)
  t.equal((await staff.agent.post(`/admin/cases/${id}/notes`, { note: 'Customer is on the old licence server — SECRET-NOTE' })).statusCode, 303)
  t.equal((await staff.agent.post(`/admin/cases/${id}/replies`, { body: 'Please try the new keys we sent.', next_status: 'waiting' })).statusCode, 303)
  const staffPage = await staff.agent.get(`/admin/cases/${id}`)
  t.match(staffPage.body, 'SECRET-NOTE', 'staff see the note')
  t.match(staffPage.body, /acme deal<\/a> · Qualify/, 'and the deal as it stands')

  const partnerPage = await acme.agent.get(`/portal/cases/${id}`)
  t.match(partnerPage.body, 'Please try the new keys we sent.')
  t.notMatch(partnerPage.body, 'SECRET-NOTE', 'the partner never sees the note')
  t.notMatch(partnerPage.body, 'Dana Desk</strong>', 'nor the assignment')
  t.match(partnerPage.body, 'Waiting on you')

  const mails = await db.selectFrom('mail_outbox').select(['to_address', 'subject', 'body']).where('to_address', '=', acme.email).where('subject', 'like', 'CASE-%').execute()
  t.equal(mails.length, 1, 'one e-mail for the reply that also left the case waiting')
  t.match(mails[0]!.body, 'Please try the new keys we sent.')
  t.match(mails[0]!.body, `http://portal.test/portal/cases/${id}`, 'it links straight to the case')
  t.notMatch(mails.map((m) => m.body).join(), 'SECRET-NOTE', 'no e-mail carries the note')

  t.equal((await acme.agent.post(`/portal/cases/${id}/replies`, { body: 'Tried them, they work.' })).statusCode, 303)
  t.equal((await db.selectFrom('cases').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'open', 'the partner’s reply restarts the case')
  t.equal((await acme.agent.post(`/portal/cases/${id}/resolve`)).statusCode, 303)
  t.equal((await acme.agent.post(`/portal/cases/${id}/rating`, { rating: '5', rating_comment: 'Quick and clear' })).statusCode, 303)
  t.match(await db.selectFrom('cases').select(['status', 'rating', 'rating_comment']).where('id', '=', id).executeTakeFirstOrThrow(), { status: 'resolved', rating: 5, rating_comment: 'Quick and clear' })
  const bad = await acme.agent.post(`/portal/cases/${id}/rating`, { rating: '9' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Rating must be a whole number from 1 to 5/)

  const dealPage = await acme.agent.get(`/portal/opportunities/${acme.dealId}`)
  t.match(dealPage.body, 'Support cases', 'the deal page has the cases panel')
  t.match(dealPage.body, `/portal/cases/${id}`)
  t.match(dealPage.body, `/portal/cases/new?opportunity_id=${acme.dealId}`, 'and offers a case about the deal')
})

t.test('a resolved case reopens within 14 days; later a follow-up case is offered', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, clock } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const staff = await staffAgent(app)
  const id = await openCase(acme.agent)
  await staff.agent.post(`/admin/cases/${id}/replies`, { body: 'Fixed on our side.', next_status: 'resolved' })
  const resolvedAt = (await db.selectFrom('cases').select('resolved_at').where('id', '=', id).executeTakeFirstOrThrow()).resolved_at!

  const realNow = clock.now
  t.teardown(() => { clock.now = realNow })
  clock.now = () => resolvedAt.getTime() + 13 * 86_400_000
  t.match((await acme.agent.get(`/portal/cases/${id}`)).body, />Reopen</)
  t.equal((await acme.agent.post(`/portal/cases/${id}/reopen`)).statusCode, 303)
  t.equal((await db.selectFrom('cases').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'open')

  await staff.agent.post(`/admin/cases/${id}/status`, { status: 'resolved' })
  const again = (await db.selectFrom('cases').select('resolved_at').where('id', '=', id).executeTakeFirstOrThrow()).resolved_at!
  clock.now = () => again.getTime() + 15 * 86_400_000
  const late = await acme.agent.get(`/portal/cases/${id}`)
  t.notMatch(late.body, />Reopen</, 'no reopen after 14 days')
  t.match(late.body, `/portal/cases/new?follow_up_of=${id}`, 'a follow-up is offered instead')
  const refused = await acme.agent.post(`/portal/cases/${id}/reopen`)
  t.equal(refused.statusCode, 409)
  t.match(refused.body, /more than 14 days ago/)
  t.equal((await db.selectFrom('cases').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'resolved', 'nothing changed')

  const followForm = await acme.agent.get(`/portal/cases/new?follow_up_of=${id}`)
  t.match(followForm.body, /Follow-up to CASE-\d+/)
  const followUp = await openCase(acme.agent, { follow_up_of: id, subject: 'Follow-up: keys fail again' })
  t.equal((await db.selectFrom('cases').select('follow_up_of').where('id', '=', followUp).executeTakeFirstOrThrow()).follow_up_of, id, 'linked to the earlier case')
})

t.test('a long case shows its latest events, the earlier ones a page away; the partner’s pages never hold a note', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  const id = await openCase(acme.agent)
  for (let i = 1; i <= 16; i++) {
    t.equal((await postWithFile(acme.agent, `/portal/cases/${id}/replies`, { body: `Partner reply ${i}.` })).statusCode, 303)
    if (i % 4 === 0) t.equal((await desk.agent.post(`/admin/cases/${id}/notes`, { note: `Staff note ${i}.` })).statusCode, 303)
  }
  const earlierLink = (body: string) => /href="([^"]*after=[^"#]+)#timeline-title">Earlier events/.exec(body)?.[1]?.replaceAll('&amp;', '&')

  const staffLatest = (await desk.agent.get(`/admin/cases/${id}`)).body
  t.match(staffLatest, 'Staff note 16.')
  t.match(staffLatest, 'Partner reply 5.', 'the latest 15 of 21 events')
  t.notMatch(staffLatest, 'Partner reply 4.')
  const staffEarlier = (await desk.agent.get(earlierLink(staffLatest)!)).body
  t.match(staffEarlier, 'Staff note 4.')
  t.match(staffEarlier, 'Partner reply 1.')
  t.notMatch(staffEarlier, 'Partner reply 5.', 'each event on one page')
  t.match(staffEarlier, 'Latest events')
  t.notOk(earlierLink(staffEarlier), 'nothing earlier than the opening')

  const partnerLatest = (await acme.agent.get(`/portal/cases/${id}`)).body
  t.match(partnerLatest, 'Partner reply 16.')
  t.match(partnerLatest, 'Partner reply 2.', 'the latest 15 of 17 public events')
  t.notMatch(partnerLatest, 'Partner reply 1.')
  const partnerEarlier = (await acme.agent.get(earlierLink(partnerLatest)!)).body
  t.match(partnerEarlier, 'Partner reply 1.')
  t.notMatch(partnerEarlier + partnerLatest, 'Staff note', 'no note on either page')
  t.match((await acme.agent.get(`/portal/cases/${id}?after=nonsense`)).body, 'Partner reply 16.', 'a bad cursor shows the latest events')
})
