import t from 'tap'
import { sql } from 'kysely'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { openCase, partnerWithDeal, staffAgent, staffPassword } from '../../fixtures/cases.ts'

t.test('a duplicate merges into another case of the same partner: its timeline moves there, it is cancelled with a link', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const other = await partnerWithDeal(app, 'other')
  const desk = await staffAgent(app)
  const original = await openCase(acme.agent, { subject: 'Keys fail' })
  const duplicate = await openCase(acme.agent, { subject: 'Keys still fail', body: 'Same as before, error 42.' })
  const foreign = await openCase(other.agent, { subject: 'Other partner’s case' })
  await acme.agent.post(`/portal/cases/${duplicate}/replies`, { body: 'Any news on the keys?' })
  await desk.agent.post(`/admin/cases/${duplicate}/notes`, { note: 'Same customer as the first one.' })
  const numberOf = async (id: string) => (await db.selectFrom('cases').select('number').where('id', '=', id).executeTakeFirstOrThrow()).number

  const before = await db.selectFrom('case_events').select(['id', 'case_id']).execute()
  for (const [into, message] of [['nonsense', /like CASE-1042/], [`CASE-${await numberOf(duplicate)}`, /cannot be merged into itself/],
    [`CASE-${await numberOf(foreign)}`, /Only a case of the same partner/], ['CASE-999999', /No case is numbered CASE-999999/]] as const) {
    const res = await desk.agent.post(`/admin/cases/${duplicate}/merge`, { into })
    t.equal(res.statusCode, 422, into)
    t.match(res.body, message)
  }
  t.same(await db.selectFrom('case_events').select(['id', 'case_id']).execute(), before, 'a refused merge changes nothing')

  t.equal((await desk.agent.post(`/admin/cases/${duplicate}/merge`, { into: String(await numberOf(original)) })).statusCode, 303)
  t.match(await db.selectFrom('cases').select(['status', 'merged_into']).where('id', '=', duplicate).executeTakeFirstOrThrow(), { status: 'cancelled', merged_into: original })
  const target = (await acme.agent.get(`/portal/cases/${original}`)).body
  t.match(target, 'Any news on the keys?', 'the duplicate’s replies are on the case it merged into')
  t.match(target, 'Same as before, error 42.', 'and its question')
  t.notMatch(target, 'Same customer as the first one.', 'its internal note stays internal')
  t.match((await desk.agent.get(`/admin/cases/${original}`)).body, 'Same customer as the first one.', 'staff see the note there')
  const left = (await acme.agent.get(`/portal/cases/${duplicate}`)).body
  t.match(left, 'This case was merged into')
  t.match(left, `/portal/cases/${original}`)
  t.equal((await desk.agent.post(`/admin/cases/${duplicate}/merge`, { into: String(await numberOf(original)) })).statusCode, 409, 'merged once')
})

t.test('the assignment rule gives new cases in turn, or to whoever holds the fewest open cases, and tells them', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const ann = await createUser(app, { email: 'ann@staff.example', name: 'Ann', password: staffPassword })
  const ben = await createUser(app, { email: 'ben@staff.example', name: 'Ben', password: staffPassword })
  const member = await staffAgent(app)
  const adminUser = await createUser(app, { email: 'boss@staff.example', name: 'Boss', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(adminUser.email, staffPassword)
  const assignee = async (id: string) => (await db.selectFrom('cases').select('assignee_id').where('id', '=', id).executeTakeFirstOrThrow()).assignee_id

  t.equal((await member.agent.get('/admin/cases/assignment')).statusCode, 403, 'staff admins only')
  t.equal(await assignee(await openCase(acme.agent)), null, 'off by default')
  const refused = await boss.post('/admin/cases/assignment', { mode: 'round_robin' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /Choose at least one colleague/)
  t.equal((await boss.post('/admin/cases/assignment', { mode: 'round_robin', team: [ann.id, ben.id] })).statusCode, 303)
  const turns = []
  for (let i = 0; i < 3; i++) turns.push(await assignee(await openCase(acme.agent)))
  t.same(turns, [ann.id, ben.id, ann.id], 'in turn')
  const mails = await db.selectFrom('mail_outbox').select(['to_address', 'subject']).where('subject', 'like', '%is yours%').execute()
  t.same(mails.map((m) => m.to_address).sort(), ['ann@staff.example', 'ann@staff.example', 'ben@staff.example'], 'each is told')
  const partnerPage = (await acme.agent.get('/portal/cases')).body
  t.notMatch(partnerPage, /Ann|Ben/, 'partners never see who')

  t.equal((await boss.post('/admin/cases/assignment', { mode: 'least_open', team: [ann.id, ben.id] })).statusCode, 303)
  t.equal(await assignee(await openCase(acme.agent)), ben.id, 'Ben holds one open case, Ann two')
})

t.test('saved views: a staff member’s own and shared ones, each with its count; "me" is whoever looks', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  const colleague = await staffAgent(app, 'colleague@staff.example', 'Cole League')
  const adminUser = await createUser(app, { email: 'boss@staff.example', name: 'Boss', role: 'admin', password: staffPassword })
  const boss = new Agent(app)
  await boss.signIn(adminUser.email, staffPassword)
  const urgent = await openCase(acme.agent, { priority: 'urgent', subject: 'Urgent one' })
  await openCase(acme.agent, { priority: 'low', subject: 'Low one' })
  await desk.agent.post(`/admin/cases/${urgent}/take`)

  t.equal((await desk.agent.post('/admin/cases/views', { name: 'Urgent', query: 'priority=urgent&bogus=1&assignee=nobody' })).statusCode, 303)
  t.equal((await desk.agent.post('/admin/cases/views', { name: 'Shared?', query: '', shared: 'on' })).statusCode, 403, 'only staff admins share')
  t.equal((await boss.post('/admin/cases/views', { name: 'My cases', query: 'assignee=me', shared: 'on' })).statusCode, 303)
  const mine = (await desk.agent.get('/admin/cases')).body
  t.match(mine, /href="\/admin\/cases\?priority=urgent">Urgent<\/a> <span class="tab-count">1<\/span>/, 'the own view, cleaned of what the queue does not offer, with its count')
  t.match(mine, /href="\/admin\/cases\?assignee=me">My cases<\/a> <span class="tab-count">1<\/span>/, 'the shared view counts the viewer’s own cases')
  const theirs = (await colleague.agent.get('/admin/cases')).body
  t.notMatch(theirs, '?priority=urgent">Urgent</a>', 'another’s own view is not listed')
  t.match(theirs, /My cases<\/a> <span class="tab-count">0<\/span>/, '"me" is whoever looks')
  const filtered = (await desk.agent.get('/admin/cases?priority=urgent')).body
  t.match(filtered, 'Urgent one')
  t.notMatch(filtered, 'Low one')
  const view = await app.diContainer.cradle.db.selectFrom('case_views').select('id').where('name', '=', 'Urgent').executeTakeFirstOrThrow()
  t.equal((await colleague.agent.post(`/admin/cases/views/${view.id}/remove`)).statusCode, 404, 'nor removed by them')
  t.equal((await desk.agent.post(`/admin/cases/views/${view.id}/remove`)).statusCode, 303)
})

t.test('figures: open cases by status and priority, response and resolution times (median, 90th percentile), misses and satisfaction', async (t) => {
  const { app } = await buildTestApp(t)
  const { clock } = app.diContainer.cradle
  const realNow = clock.now
  t.teardown(() => { clock.now = realNow })
  const start = Date.now() - 10 * 86_400_000
  const setClock = (hoursLater: number) => { clock.now = () => start + hoursLater * 3_600_000 }
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  setClock(0)
  const first = await openCase(acme.agent, { priority: 'high' })
  const second = await openCase(acme.agent, { priority: 'low' })
  setClock(2)
  await desk.agent.post(`/admin/cases/${first}/replies`, { body: 'On it.', next_status: '' })
  setClock(4)
  await desk.agent.post(`/admin/cases/${second}/replies`, { body: 'On it too.', next_status: 'waiting' })
  setClock(5)
  await desk.agent.post(`/admin/cases/${first}/status`, { status: 'resolved' })
  await acme.agent.post(`/portal/cases/${first}/rating`, { rating: '4' })

  const page = await desk.agent.get('/admin/cases/figures')
  t.equal(page.statusCode, 200)
  const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
  t.match(text, /Waiting on partner 1 0 0 0/, 'the open cases by status and priority (low first)')
  t.match(text, /All cases 2 3 h 3\.8 h 5 h 5 h 0 4 of 5 \(1\)/, 'two cases: first response median 3 h, 90th percentile 3.8 h; resolved in 5 h; rated 4')
  t.match(text, /acme Ltd 2 3 h/, 'per partner')
  t.match(text, /Nobody yet 2 3 h/, 'per assignee')
})

t.test('the queue filters by a partner found by name: the page lists no partner until one is typed, the chosen one stays ticked', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await partnerWithDeal(app, 'acme')
  const other = await partnerWithDeal(app, 'other')
  const desk = await staffAgent(app)
  await openCase(acme.agent, { subject: 'Acme keys fail' })
  await openCase(other.agent, { subject: 'Other keys fail' })

  const queue = (await desk.agent.get('/admin/cases')).body
  t.match(queue, 'Type a name to find a partner.')
  t.notMatch(queue, `value="${acme.partner.id}"`, 'no partner is listed unasked')

  const found = await desk.agent.get('/admin/cases/partners?partner_q=acm')
  t.equal(found.statusCode, 200)
  t.match(found.body, `name="partner" value="${acme.partner.id}"`, 'a typed name finds the partner')
  t.notMatch(found.body, other.partner.id)

  const searched = (await desk.agent.get('/admin/cases?partner_q=other')).body
  t.match(searched, `name="partner" value="${other.partner.id}"`, 'without JavaScript the search reloads the page with the matches')

  const filtered = (await desk.agent.get(`/admin/cases?partner=${acme.partner.id}`)).body
  t.match(filtered, 'Acme keys fail')
  t.notMatch(filtered, 'Other keys fail', 'only the chosen partner’s cases')
  t.match(filtered, new RegExp(`value="${acme.partner.id}" checked`), 'the chosen partner stays ticked')
  t.equal((await acme.agent.get('/admin/cases/partners?partner_q=acm')).statusCode, 403, 'staff only')
})

t.test('the queue’s assignee filter and the case’s assign list offer only the staff who can work cases: active staff, not invited or deactivated ones, however many', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const acme = await partnerWithDeal(app, 'acme')
  const desk = await staffAgent(app)
  const id = await openCase(acme.agent)
  const invited = await createUser(app, { email: 'ivy@staff.example', name: 'Ivy Invited' })
  const gone = await createUser(app, { email: 'gus@staff.example', name: 'Gus Gone' })
  await db.updateTable('users').set({ status: 'invited' }).where('id', '=', invited.id).execute()
  await db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone.id).execute()
  // Former colleagues whose names come first: 500 of them once crowded the active out of the list.
  await sql`insert into users (email, name, kind, status) select 'former' || n || '@staff.example', 'Aaron Former ' || lpad(n::text, 3, '0'), 'staff', 'deactivated'
    from generate_series(1, 500) n`.execute(db)
  await createUser(app, { email: 'zoe@staff.example', name: 'Zoe Zed' })

  const assigneeOptions = (html: string) => /<select id="assignee" name="assignee">([\s\S]*?)<\/select>/.exec(html)![1]!
  const queue = assigneeOptions((await desk.agent.get('/admin/cases')).body)
  t.match(queue, '>Dana Desk<', 'the viewer')
  t.match(queue, '>Zoe Zed<', 'an active colleague after 500 former ones by name')
  for (const name of ['Ivy Invited', 'Gus Gone', 'Aaron Former 001']) t.notMatch(queue, name, `not ${name}`)
  t.notMatch(queue, acme.admin.id, 'no partner’s employee')
  const page = (await desk.agent.get(`/admin/cases/${id}`)).body
  t.match(page, '>Zoe Zed<', 'the case page assigns to active staff')
  for (const name of ['Ivy Invited', 'Gus Gone', 'Aaron Former']) t.notMatch(page, name, `the case page does not offer ${name}`)
})
