import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoActor, demoViewer } from '../../core/features/demo.ts'
import { demoStaff } from '../admin/index.ts'
import type { Who } from './post-view.ts'

/**
 * Demo forums: a staff-only announcements forum with a pinned welcome, a community forum where
 * partners may hide their company, a public product forum and a Gold lounge; answered and open questions.
 */
export async function seedForums(cradle: Cradle): Promise<DemoAccount[]> {
  const { forumStructure, forumPosting, forumModeration, knowledgeReaders, partners, channelAreas } = cradle
  const actor = await demoActor(cradle, demoStaff[0]!.email)
  const staff: Who = {
    viewer: { ...actor, email: demoStaff[0]!.email, kind: 'staff', role: 'admin', partnerId: null, partnerStatus: null, permissions: channelAreas.defaults, sessionVersion: 1 },
    reader: { kind: 'staff' }
  }
  const partnerWho = async (email: string): Promise<Who> => {
    const viewer = await demoViewer(cradle, email)
    if (!viewer) throw new Error(`The demo data has no partner ${email}`)
    return { viewer, reader: await knowledgeReaders.of(viewer) }
  }
  const nora = await partnerWho('nora@northwind.example')
  const colin = await partnerWho('colin@contoso.example')
  const gold = (await partners.levels()).find((l) => l.name === 'Gold')

  const news = await forumStructure.saveCategory(actor, null, { name: 'News', description: 'From the partner team.', position: 0 })
  const community = await forumStructure.saveCategory(actor, null, { name: 'Community', description: 'Partners helping partners, with our staff.', position: 1 })
  const forum = (categoryId: string, name: string, description: string, position: number, more: Partial<Parameters<typeof forumStructure.saveForum>[2]> = {}) =>
    forumStructure.saveForum(actor, null, {
      category_id: categoryId, name, description, position, audience: 'partners', audience_level_id: '', audience_partner_ids: [],
      posting: 'audience', allow_hidden_company: false, ...more
    })
  const announcements = await forum(news.id, 'Announcements', 'Program news and changes. Only staff post here.', 0, { posting: 'staff' })
  const selling = await forum(community.id, 'Selling and pricing', 'Deals, pricing and renewals. You may hide your company from other partners.', 0, { allow_hidden_company: true })
  const product = await forum(community.id, 'Product questions', 'Setting up and running the platform; open to everyone to read.', 1, { audience: 'public' })
  if (gold) await forum(community.id, 'Gold lounge', 'For Gold partners and above.', 2, { audience: 'levels', audience_level_id: gold.id })

  const welcome = await forumPosting.createThread(staff, announcements.id, {
    kind: 'discussion', title: 'Welcome to the partner forums', hide_company: false,
    body: 'Ask questions, share what works and help each other. Mark the reply that solved your question as **the answer**, so the next person finds it.'
  })
  await forumModeration.setState(actor, welcome.id, 'pin')
  await forumPosting.createThread(staff, announcements.id, { kind: 'discussion', title: 'New margins from January', hide_company: false, body: 'Gold partners get two more points on renewals from 1 January.' })

  const renewals = await forumPosting.createThread(nora, selling.id, {
    kind: 'question', title: 'How do you handle multi-year renewals?', hide_company: false,
    body: 'Customers ask for three-year terms. Do you discount them, and how much?'
  })
  const answer = await forumPosting.reply(colin, renewals.id, { hide_company: true, body: 'We give 5% for two years and 8% for three, paid upfront. Anything more erodes the margin.' })
  await forumPosting.reply(staff, renewals.id, { hide_company: false, body: 'That matches the program guidance: up to 10% for three years paid upfront.' })
  await forumPosting.markAnswer(nora, answer.id)
  await forumPosting.helpful(staff, answer.id, true)
  await forumPosting.createThread(colin, selling.id, { kind: 'question', title: 'Competing on price against resellers', hide_company: true, body: 'How do you position services when a reseller undercuts the licence price?' })

  const sso = await forumPosting.createThread(colin, product.id, { kind: 'question', title: 'SSO login loops after setup', hide_company: false, body: 'After enabling SSO, users bounce between the portal and the provider.' })
  const fix = await forumPosting.reply(staff, sso.id, { hide_company: false, body: 'Check that the clock of the identity provider is in sync: a skew over five minutes makes every token expire at once.' })
  await forumPosting.markAnswer(staff, fix.id)
  await forumPosting.createThread(nora, product.id, { kind: 'question', title: 'Exporting reports to Excel', hide_company: false, body: 'Is there a way to schedule the pipeline report as an Excel file?' })
  return []
}

