import { sql } from 'kysely'
import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createStaffDeal } from '../../fixtures/opportunities.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

const titles = (html: string) => [...html.matchAll(/<h2 id="offer-title-[^"]+">([^<]+)<\/h2>/g)].map((m) => m[1])
/** The address of the pager's button with this label, if the page has one. */
const link = (html: string, label: string) => [...html.matchAll(/<a class="button button-secondary" href="([^"]+)">([^<]+)<\/a>/g)]
  .find((m) => m[2] === label)?.[1]?.replace(/&amp;/g, '&')

t.test('the offers inbox pages through its offers, soonest deadline first', async (t) => {
  const { app } = await buildTestApp(t)
  const acme = await createActivePartner(app, 'acme')
  const { distribution, opportunities } = app.diContainer.cradle
  const { deal: first, staff } = await createStaffDeal(app, { name: 'Deal 27' })
  await distribution.offer(staff, first.id, acme.partner.id, 27)
  for (let i = 1; i <= 11; i++) {
    const deal = await opportunities.create(staff, {
      name: `Deal ${String(i).padStart(2, '0')}`, customer_name: `Customer ${i}`, customer_website: '', territory: 'US', expertise: [],
      estimated_revenue: '1000', currency: 'USD', expected_close: '2030-01-01', description: '', distribution: 'manual'
    } as Parameters<typeof opportunities.create>[1])
    await distribution.offer(staff, deal.id, acme.partner.id, i)
  }
  const agent = new Agent(app)
  await agent.signIn(acme.email, acme.password)

  const one = (await agent.get('/portal/opportunities/offers')).body
  t.same(titles(one), Array.from({ length: 10 }, (_, i) => `Deal ${String(i + 1).padStart(2, '0')}`), 'the first 10, soonest deadline first')
  t.notOk(link(one, 'First page'), 'no way back from the first page')
  const next = link(one, 'Next page')
  t.match(next, /^\/portal\/opportunities\/offers\?after=/)

  const two = (await agent.get(next!)).body
  t.same(titles(two), ['Deal 11', 'Deal 27'], 'then the rest')
  t.notOk(link(two, 'Next page'), 'the last page has no next')
  t.equal(link(two, 'First page'), '/portal/opportunities/offers')

  const offer = await app.diContainer.cradle.db.selectFrom('opportunity_offers').select('id')
    .where('opportunity_id', '=', first.id).executeTakeFirstOrThrow()
  const action = `/portal/opportunities/offers/${offer.id}/reject?${new URL(next!, 'http://x').searchParams}`
  t.match(two, `action="${action.replace(/&/g, '&amp;')}"`, 'a rejection on page 2 comes back to page 2')
  const refused = await agent.post(action, { reason: '' })
  t.equal(refused.statusCode, 422)
  t.same(titles(refused.body), ['Deal 11', 'Deal 27'], 'with the offer whose reason was missing still in view')
  t.match(refused.body, /Reason is required|at least 5 characters/)
  const stillPending = await app.diContainer.cradle.db.selectFrom('opportunity_offers').select('status').where('id', '=', offer.id).executeTakeFirstOrThrow()
  t.equal(stillPending.status, 'pending', 'nothing changed')

  t.same(titles((await agent.get('/portal/opportunities/offers?after=not-a-cursor')).body).length, 10, 'a bad cursor shows the first page')

  // Deadlines a microsecond apart, all within one millisecond: each offer still shows once.
  await sql`update opportunity_offers o set deadline = '2030-01-01 00:00:00.123'::timestamptz + r.n * interval '1 microsecond'
    from (select id, row_number() over (order by id) as n from opportunity_offers) r where r.id = o.id`.execute(app.diContainer.cradle.db)
  const seen: string[] = []
  for (let url: string | undefined = '/portal/opportunities/offers', pages = 0; url && pages < 5; pages++) {
    const body: string = (await agent.get(url)).body
    seen.push(...titles(body).map(String))
    url = link(body, 'Next page')
  }
  t.equal(seen.length, 12)
  t.equal(new Set(seen).size, 12, 'no offer twice, none left out')
})
