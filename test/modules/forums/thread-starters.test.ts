import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { Agent, buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { createForums, createModerator } from '../../fixtures/forums.ts'
import type { Who } from '../../../modules/forums/post-view.ts'

async function whoOf(app: FastifyInstance, userId: string): Promise<Who> {
  const viewer = await viewerFor(app, userId)
  return { viewer, reader: await app.diContainer.cradle.knowledgeReaders.of(viewer) }
}

t.test('each thread keeps its first post’s author and company through replies, edits, hiding, moves, deletions and renames', async (t) => {
  const { app } = await buildTestApp(t, { FORUM_POSTS_PER_HOUR: '0' })
  const { db, forumPosting, forumModeration } = app.diContainer.cradle
  const staff = await createModerator(app)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const { forums: [lounge, hall] } = await createForums(app, staff, 'Community', [{ name: 'Lounge', allowHiddenCompany: true }, { name: 'Hall' }])
  const [asNorth, asSouth, asStaff] = await Promise.all([whoOf(app, north.admin.id), whoOf(app, south.admin.id), whoOf(app, staff.id)])
  const actor = asStaff.viewer!

  const kept = async () => (await sql<{ id: string }>`select t.id, t.starter_name, t.starter_staff, t.starter_partner_id, t.starter_company, t.starter_hide_company
    from forum_threads t order by t.id`.execute(db)).rows
  const fresh = async () => (await sql`select t.id, p.author_name as starter_name, coalesce(p.staff, false) as starter_staff, p.partner_id as starter_partner_id,
    p.company_name as starter_company, coalesce(p.hide_company, false) as starter_hide_company
    from forum_threads t left join forum_posts p on p.thread_id = t.id and p.number = 1 order by t.id`.execute(db)).rows
  const agree = async (when: string) => t.same(await kept(), await fresh(), `${when}: every thread’s starter is its first post’s author`)

  const asked = await forumPosting.createThread(asNorth, lounge!.id, { kind: 'question', title: 'Renewal discounts?', body: 'How do you price renewals?', hide_company: true })
  const told = await forumPosting.createThread(asStaff, lounge!.id, { kind: 'discussion', title: 'New margins', body: 'Two more points.', hide_company: false })
  const alone = await forumPosting.createThread(asSouth, hall!.id, { kind: 'discussion', title: 'Anyone here?', body: 'Hello.', hide_company: false })
  await agree('started')
  const starter = (await kept()).find((r) => r.id === asked.id)
  t.match(starter, { starter_name: north.admin.name, starter_staff: false, starter_partner_id: north.partner.id, starter_hide_company: true })

  const reply = await forumPosting.reply(asSouth, asked.id, { body: 'Ten percent.', hide_company: false })
  await forumPosting.reply(asStaff, told.id, { body: 'From January.', hide_company: false })
  await agree('replied to')
  const first = async (threadId: string) => (await db.selectFrom('forum_posts').select('id').where('thread_id', '=', threadId).where('number', '=', 1).executeTakeFirstOrThrow()).id
  await forumPosting.edit(asNorth, await first(asked.id), { body: 'How do you price renewals over three years?' })
  await forumModeration.hide(actor, await first(told.id), 'Off topic')
  await forumModeration.move(actor, asked.id, hall!.id)
  await agree('edited, hidden and moved')

  await forumPosting.remove(asStaff, await first(told.id))
  await forumPosting.remove(asSouth, reply.id)
  await forumPosting.remove(asSouth, await first(alone.id))
  t.equal((await kept()).length, 2, 'a thread whose only post went is gone')
  await agree('deleted')

  await sql`update forum_posts set author_name = 'Former member', company_name = null where thread_id = ${asked.id}`.execute(db)
  await agree('its author renamed')
  const before = await kept()
  await sql`update forum_threads set starter_name = null`.execute(db)
  await sql`select forum_thread_starters_rebuild()`.execute(db)
  t.same(await kept(), before, 'a rebuild gives the same starters')

  const southReader = new Agent(app)
  await southReader.signIn(south.email, south.password)
  const list = (await southReader.get(`/portal/forums/f/${hall!.id}`)).body
  t.match(list, /Renewal discounts\?<\/a>[\s\S]*?<span class="post-author">Former member<\/span>/, 'the list shows the starter')
})
