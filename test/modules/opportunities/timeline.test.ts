import t from 'tap'
import { Agent, createUser, buildTestApp } from '../../helper.ts'
import { partnerWithCustomer, registrationForm } from '../../fixtures/opportunities.ts'

const notes = (html: string) => [...html.matchAll(/<p class="prewrap">(Note \d+|Staff memo)<\/p>/g)].map((m) => m[1]!)
const older = (html: string) => /<a class="button button-secondary" href="([^"]+)">Older events<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, '&')

/** Every page of a deal's timeline, following "Older events": the notes of each page. */
async function pages(agent: Agent, url: string): Promise<string[][]> {
  const seen: string[][] = []
  for (let next: string | undefined = url; next; ) {
    const body: string = (await agent.get(next)).body
    seen.push(notes(body))
    next = older(body)?.replace(/#.*$/, '')
  }
  return seen
}

t.test('a long timeline pages from the newest event to the oldest, events sharing a time included once', async (t) => {
  const { app } = await buildTestApp(t)
  const { acme, accountId, agent } = await partnerWithCustomer(app)
  const id = String((await agent.post('/portal/opportunities', registrationForm(accountId))).headers.location).split('/').pop()!
  const { db } = app.diContainer.cradle
  // Three notes at each second, oldest first: Note 1 to Note 59, all after the registration.
  const start = Date.now() + 1000
  await db.insertInto('opportunity_events').values(Array.from({ length: 59 }, (_, i) => ({
    opportunity_id: id, partner_id: acme.partner.id, kind: 'note', body: `Note ${i + 1}`, actor_name: 'Ann', at: new Date(start + Math.floor(i / 3) * 1000)
  }))).execute()
  await db.insertInto('opportunity_events').values({ opportunity_id: id, partner_id: null, staff_only: true, kind: 'note', body: 'Staff memo', actor_name: 'Sam', at: new Date(start + 60_000) }).execute()

  const partnerPages = await pages(agent, `/portal/opportunities/${id}`)
  t.same(partnerPages.map((p) => p.length), [50, 9], 'fifty a page, then the rest')
  const all = partnerPages.flat()
  t.equal(new Set(all).size, 59, 'no note shown twice')
  const seconds = all.map((n) => Math.floor((Number(n.slice(5)) - 1) / 3))
  t.same(seconds, [...seconds].sort((a, b) => b - a), 'newest first')
  t.notOk(all.includes('Staff memo'), 'the partner never sees what only staff see')
  const second = (await agent.get(older((await agent.get(`/portal/opportunities/${id}`)).body)!)).body
  t.match(second, new RegExp(`href="/portal/opportunities/${id}#timeline-title">Latest events</a>`), 'the older page leads back to the latest')
  t.match(second, /Registered\./, 'the registration is on the last page')
  t.equal(notes((await agent.get(`/portal/opportunities/${id}?after=tampered`)).body).length, 50, 'a tampered cursor shows the latest events')

  await createUser(app, { email: 'avery@example.com', role: 'admin' })
  const staff = new Agent(app)
  await staff.signIn('avery@example.com', 'correct-horse-battery')
  const staffPages = await pages(staff, `/admin/opportunities/${id}`)
  t.same(staffPages.map((p) => p.length), [50, 10], 'staff page through everything, their memo included')
  t.equal(staffPages[0]![0], 'Staff memo', 'newest first')
})
