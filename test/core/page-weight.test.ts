import { sql } from 'kysely'
import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { createStaffDeal } from '../fixtures/opportunities.ts'
import { createActivePartner } from '../fixtures/partners.ts'

/** Issue 18: no page over 20 kB of HTML for its first screen of data, however much data there is. */
const limit = 20 * 1024

const countries = ['US', 'DE', 'FR', 'GB', 'NL', 'BE', 'AT', 'CH', 'IT', 'ES', 'PT', 'SE', 'NO', 'DK', 'FI', 'PL', 'CZ', 'IE',
  'CA', 'MX', 'BR', 'AR', 'AU', 'NZ', 'JP', 'KR', 'SG', 'IN', 'ZA', 'AE']
const stages = ['qualify', 'develop', 'propose', 'close'] as const

t.test('the heaviest pages stay within 20 kB of HTML with full lists behind them', async (t) => {
  const { app } = await buildTestApp(t)
  const { db, distribution } = app.diContainer.cradle
  const acme = await createActivePartner(app, 'acme', { territories: countries.slice(0, 12) })

  // 200 partner companies across 30 countries, each with its application, most of them approved.
  const applicants = await sql<{ id: string }>`
    insert into partners (name, domain, website, country, territories, expertise, level_id, status, city)
    select 'Northwind Channel Solutions ' || n, 'northwind-' || n || '.example', 'https://northwind-' || n || '.example',
      (${sql.val(countries)}::text[])[1 + n % 30], array[(${sql.val(countries)}::text[])[1 + (n + 1) % 30], (${sql.val(countries)}::text[])[1 + (n + 7) % 30]],
      array['Consulting', 'Managed services', 'Training'], (select level_id from partners where id = ${acme.partner.id}),
      case when n % 10 = 0 then 'applied' else 'active' end, 'Springfield'
    from generate_series(1, 200) n returning id`.execute(db)
  await sql`insert into partner_applications (partner_id, applicant_id, status, submitted_at)
    select p.id, ${acme.admin.id}, case when p.status = 'applied' then 'pending' else 'approved' end, now() - (row_number() over ()) * interval '7 hours'
    from partners p where p.id = any(${sql.val(applicants.rows.map((r) => r.id))}::uuid[])`.execute(db)

  // 300 deals spread over the partners in every status, 80 of them open at Acme's across the board's stages.
  const { deal: template, staff } = await createStaffDeal(app, { name: 'Point of sale rollout for Lakeshore Retail Group' })
  const row = await db.selectFrom('opportunities').selectAll().where('id', '=', template.id).executeTakeFirstOrThrow()
  const statuses = ['open', 'won', 'lost', 'queued', 'pending_approval', 'declined'] as const
  await db.insertInto('opportunities').values(Array.from({ length: 300 }, (_, i) => {
    const status = i < 80 ? 'open' : statuses[i % statuses.length]!
    const partnerId = i < 80 ? acme.partner.id : status === 'queued' ? null : applicants.rows[i % 200]!.id
    return {
      ...row, id: undefined, number: undefined, name: `Point of sale rollout ${i} for Lakeshore Retail Group`, status,
      partner_id: partnerId, stage: stages[i % 4], customer_name: `Lakeshore Retail Group ${i}`, territory: countries[i % 30]!,
      estimated_revenue: String(10_000 + i * 1_000)
    }
  }) as never).execute()

  // Offers waiting for Acme's answer: more than one page of them.
  for (let i = 0; i < 12; i++) {
    const { deal } = await createStaffDeal(app, { name: `Store refit ${i} for Lakeshore Retail Group`, description: 'Forty tills in twelve stores, fitted over the summer.' })
    await distribution.offer(staff, deal.id, acme.partner.id, 24 + i)
  }

  // Acme's customers: more than one page.
  for (let i = 0; i < 30; i++) await createCustomer(app, acme.admin.id, `Globex Corporation ${String(i).padStart(2, '0')}`)

  // 300 cases over the partners, open and answered, resolved and rated, assigned over 15 staff, a third of them about one of the deals.
  const desk = await Promise.all(Array.from({ length: 15 }, (_, i) => createUser(app, { email: `desk${i}@staff.example`, name: `Desk Colleague ${i}`, role: 'member' })))
  await sql`insert into cases (partner_id, subject, body, type, priority, status, assignee_id, opportunity_id, opportunity_name, deal_stage,
      first_response_due_at, resolution_due_at, at_risk_at, breached_at, created_at, updated_at)
    select (${sql.val([acme.partner.id, ...applicants.rows.map((r) => r.id)])}::uuid[])[1 + n % 201], 'Licence keys do not activate for the Lakeshore stores ' || n,
      'The keys we got yesterday fail with error 42.', (array['question', 'problem', 'request', 'deal_support'])[1 + n % 4],
      (array['low', 'normal', 'high', 'urgent'])[1 + n % 4], (array['new', 'open', 'waiting', 'resolved', 'closed'])[1 + n % 5],
      (${sql.val(desk.map((u) => u.id))}::uuid[])[1 + n % 15], case when n % 3 = 0 then ${template.id}::uuid end,
      case when n % 3 = 0 then 'Point of sale rollout for Lakeshore Retail Group' end, case when n % 3 = 0 then 'develop' end,
      now() + interval '1 day', now() + interval '5 days', case when n % 7 = 0 then now() end, case when n % 11 = 0 then now() end,
      now() - n * interval '1 hour', now() - n * interval '1 hour'
    from generate_series(1, 300) n`.execute(db)
  await sql`update cases set first_response_at = created_at + (number % 9) * interval '20 minutes',
      resolved_at = case when status in ('resolved', 'closed') then created_at + (number % 13) * interval '3 hours' end,
      rating = case when status in ('resolved', 'closed') and number % 2 = 0 then 1 + number % 5 end
    where status <> 'new'`.execute(db)

  // A long case of Acme's: 60 replies back and forth, a note between them.
  const long = await sql<{ id: string }>`select id from cases where partner_id = ${acme.partner.id} order by number limit 1`.execute(db)
  const longCase = long.rows[0]!.id
  await sql`insert into case_events (case_id, kind, internal, body, actor_name, actor_kind, created_at)
    select ${longCase}, case when n % 10 = 0 then 'note' else 'reply' end, n % 10 = 0,
      'Reply ' || n || E': we tried the keys again on the **Lakeshore** tills this morning.\n\nThree of the twelve stores still show error 42 after the restart; the others activate. Could you check the licence pool for those stores?',
      case when n % 2 = 0 then 'Sam Staff' else 'Ann Acme' end, case when n % 2 = 0 then 'staff' else 'partner' end, now() - (100 - n) * interval '1 minute'
    from generate_series(1, 60) n`.execute(db)

  await sql`insert into forum_categories (name) values ('Selling together')`.execute(db)

  const partner = new Agent(app)
  await partner.signIn(acme.email, acme.password)
  const staffEmail = 'weigher@staff.example'
  await createUser(app, { email: staffEmail, name: 'Sam Staff', role: 'admin' })
  const staffAgent = new Agent(app)
  await staffAgent.signIn(staffEmail, 'correct-horse-battery')

  const pages: Array<[Agent, string, RegExp]> = [
    [staffAgent, '/admin/partners/applications', /Next page/],
    [staffAgent, '/admin/partners', /Next page/],
    [staffAgent, `/admin/partners/${acme.partner.id}`, /acme Ltd/],
    [staffAgent, '/admin/opportunities', /Next page/],
    [staffAgent, '/admin/opportunities/channel', /search by name to find others/],
    [staffAgent, '/admin/opportunities/new', /Choose a country/],
    [partner, '/portal/opportunities/offers', /Next page/],
    [partner, '/portal/opportunities/board', /All 20 in Qualify/],
    [partner, '/portal/company/edit', /Territories served/],
    [partner, '/portal/customers', /Next page/],
    [staffAgent, '/admin/cases', /Next page/],
    [staffAgent, '/admin/cases/figures', /Desk Colleague 14/],
    [staffAgent, `/admin/cases/${longCase}`, /Earlier events/],
    [partner, `/portal/cases/${longCase}`, /Earlier events/],
    [staffAgent, '/admin/forums/manage/new', /Find partners \(for chosen companies\)/]
  ]
  for (const [agent, path, full] of pages) {
    const res = await agent.get(path)
    t.equal(res.statusCode, 200, path)
    t.match(res.body, full, `${path} shows a full first screen`)
    const bytes = Buffer.byteLength(res.body)
    t.ok(bytes <= limit, `${path}: ${bytes} bytes of HTML`)
  }
})
