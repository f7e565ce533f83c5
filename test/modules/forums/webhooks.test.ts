import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../../helper.ts'
import { createActivePartner } from '../../fixtures/partners.ts'
import { viewerFor } from '../../fixtures/customers.ts'
import { createForums, createModerator } from '../../fixtures/forums.ts'
import { Receiver } from '../../fixtures/receiver.ts'
import { addEndpoint, runJobs } from '../../fixtures/webhooks.ts'
import { parseForm } from '../../../core/lib/validation.ts'
import { ReplyForm, ThreadForm } from '../../../modules/forums/forums.schemas.ts'
import type { Who } from '../../../modules/forums/post-view.ts'

const forumTypes = ['thread.created', 'post.created', 'answer.accepted']

async function whoOf(app: FastifyInstance, userId: string): Promise<Who> {
  const viewer = await viewerFor(app, userId)
  return { viewer, reader: await app.diContainer.cradle.knowledgeReaders.of(viewer) }
}

type Sent = { type: string; data: { thread: { id: string; title: string }; post: { id: string; number: number; author: { company: string | null }; markdown: string } } }
const sent = (receiver: Receiver) => receiver.received.map((r) => r.json as unknown as Sent)

t.test('forum events reach every partner who may read the forum and the staff, with the post as each may see it', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const staff = await createModerator(app)
  const north = await createActivePartner(app, 'north')
  const south = await createActivePartner(app, 'south')
  const west = await createActivePartner(app, 'west')
  const { forums: [lounge, southRoom] } = await createForums(app, staff, 'Community', [
    { name: 'Lounge', allowHiddenCompany: true }, { name: 'South room', audience: 'companies', partnerIds: [south.partner.id] }
  ])
  const [northHook, southHook, westHook, staffHook] = await Promise.all([Receiver.start(t), Receiver.start(t), Receiver.start(t), Receiver.start(t)])
  await addEndpoint(app, north.admin.id, northHook.url, forumTypes)
  await addEndpoint(app, south.admin.id, southHook.url, forumTypes)
  await addEndpoint(app, west.admin.id, westHook.url, ['post.created'])
  await addEndpoint(app, await viewerFor(app, staff.id), staffHook.url, forumTypes)
  const { forumPosting, forumModeration } = app.diContainer.cradle
  const [asNorth, asSouth, asWest, asStaff] = await Promise.all([north, south, west].map((p) => whoOf(app, p.admin.id)).concat(whoOf(app, staff.id)))

  const question = await forumPosting.createThread(asNorth!, lounge!.id, parseForm(ThreadForm, { kind: 'question', title: 'Renewal discounts?', body: 'How do you **price** renewals?', hide_company: 'on' }))
  const reply = await forumPosting.reply(asSouth!, question.id, parseForm(ReplyForm, { body: 'We give ten percent.', hide_company: '' }))
  await runJobs(app)
  const asked = sent(southHook).find((e) => e.type === 'thread.created')
  t.match(asked, { data: { thread: { id: question.id, title: 'Renewal discounts?' }, post: { number: 1, author: { company: null }, markdown: 'How do you **price** renewals?' } } },
    'a reader partner gets the new thread, its author’s hidden company not shown')
  t.notOk(southHook.received.some((r) => r.body.includes('north Ltd')), 'the hidden company is nowhere in another partner’s deliveries')
  t.match(sent(northHook).find((e) => e.type === 'thread.created'), { data: { post: { author: { company: 'north Ltd' } } } }, 'the author’s own company sees it')
  t.match(sent(staffHook).find((e) => e.type === 'thread.created'), { data: { post: { author: { company: 'north Ltd' } } } }, 'staff endpoints see who wrote it')
  t.same(sent(westHook).map((e) => [e.type, e.data.post.id]), [['post.created', reply.id]], 'an endpoint gets only the events it chose')

  await forumPosting.markAnswer(asNorth!, reply.id)
  const secret = await forumPosting.createThread(asSouth!, southRoom!.id, parseForm(ThreadForm, { kind: 'discussion', title: 'Only for the south', body: 'Between us.', hide_company: '' }))
  await forumPosting.reply(asSouth!, secret.id, parseForm(ReplyForm, { body: 'Still between us.', hide_company: '' }))
  await runJobs(app)
  t.same(sent(northHook).map((e) => e.type), ['thread.created', 'post.created', 'answer.accepted'], 'a partner who may not read a forum hears nothing of it')
  t.same(sent(westHook).length, 1, 'nor does another')
  t.same(sent(southHook).map((e) => [e.type, e.data.thread.title]), [
    ['thread.created', 'Renewal discounts?'], ['post.created', 'Renewal discounts?'], ['answer.accepted', 'Renewal discounts?'],
    ['thread.created', 'Only for the south'], ['post.created', 'Only for the south']
  ], 'the forum’s reader hears of both forums')
  t.equal(sent(northHook)[2]!.data.post.id, reply.id, 'answer.accepted carries the answer')
  t.equal(sent(staffHook).length, 5, 'staff endpoints get every forum’s events')

  const rude = await forumPosting.reply(asWest!, question.id, parseForm(ReplyForm, { body: 'Something rude.', hide_company: '' }))
  await forumModeration.hide(asStaff!.viewer!, rude.id, 'Rude')
  await runJobs(app)
  t.notOk([...northHook.received, ...westHook.received, ...staffHook.received].some((r) => r.body.includes('Something rude')), 'a post hidden before it is sent is not sent')
})
