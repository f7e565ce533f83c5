import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoActor, demoViewer } from '../../core/features/demo.ts'
import { demoStaff } from '../admin/index.ts'
import { backdate } from './opportunities.repository.ts'

const day = 86_400_000
const inDays = (n: number) => new Date(Date.now() + n * day).toISOString().slice(0, 10)
const ago = (n: number) => new Date(Date.now() - n * day)

/** Deals in every state, so the dashboards are alive on first start. */
export async function seedOpportunities(cradle: Cradle): Promise<DemoAccount[]> {
  const { opportunities, distribution, customers, db } = cradle
  const staff = await demoActor(cradle, demoStaff[0]!.email)
  const nora = await demoViewer(cradle, 'nora@northwind.example')
  const colin = await demoViewer(cradle, 'colin@contoso.example')
  if (!nora || !colin) return []

  const deals = [
    { name: 'Fleet tracking rollout', revenue: '48000', stage: 'propose', close: 20 },
    { name: 'Helpdesk migration', revenue: '22000', stage: 'develop', close: 45 },
    { name: 'Analytics add-on', revenue: '9500', stage: 'qualify', close: 70 },
    { name: 'Warehouse scanners', revenue: '31000', stage: 'close', close: 10 }
  ] as const
  for (const [viewer, prefix] of [[nora, ''], [colin, 'UK ']] as const) {
    const accounts = await customers.searchAccounts(viewer, '', 10)
    if (accounts.length === 0) continue
    const won = [['Licence renewal', '18500', 20], ['Onboarding package', '12000', 110], ['Support contract', '26000', 130]] as const
    for (const [i, [name, revenue, daysAgo]] of won.entries()) {
      const account = accounts[(i + 1) % accounts.length]!
      const deal = await opportunities.register(viewer, {
        name: `${prefix}${name}`, account_id: account.id, contact_id: '', estimated_revenue: revenue, currency: 'USD',
        expected_close: inDays(5), expertise: ['Consulting'], description: ''
      })
      if (deal.status !== 'open') continue
      await opportunities.win(viewer, deal.id, revenue)
      await backdate(db, deal.id, { createdAt: ago(daysAgo + 40), closedAt: ago(daysAgo) })
    }
    const lost = await opportunities.register(viewer, {
      name: `${prefix}Pilot that went elsewhere`, account_id: accounts[0]!.id, contact_id: '', estimated_revenue: '8000',
      currency: 'USD', expected_close: inDays(3), expertise: [], description: ''
    })
    if (lost.status === 'open') await opportunities.lose(viewer, lost.id, 'The customer chose a competitor on price.')
    for (const [i, d] of deals.entries()) {
      const account = accounts[i % accounts.length]!
      const created = await opportunities.register(viewer, {
        name: `${prefix}${d.name}`, account_id: account.id, contact_id: '', estimated_revenue: d.revenue, currency: 'USD',
        expected_close: inDays(d.close), expertise: ['Implementation'], description: `${d.name} for ${account.name}`.replace(/\.?$/, '.')
      })
      if (created.status === 'pending_approval') continue
      if (d.stage !== 'qualify') await opportunities.moveStage(viewer, created.id, d.stage)
    }
    const stalled = await opportunities.register(viewer, {
      name: `${prefix}Security review`, account_id: accounts[accounts.length - 1]!.id, contact_id: '', estimated_revenue: '15000',
      currency: 'USD', expected_close: inDays(30), expertise: ['Support'], description: 'Waiting on the customer.'
    })
    await backdate(db, stalled.id, { lastActivityAt: ago(30) })
  }

  const offered = await opportunities.create(staff, {
    name: 'Retail chain: 40 stores', customer_name: 'Lakeshore Retail', customer_website: 'https://lakeshore.example', territory: 'US',
    expertise: ['Implementation'], estimated_revenue: '120000', currency: 'USD', expected_close: inDays(90),
    description: 'Inbound lead from the website: point of sale for 40 stores.', distribution: 'manual'
  })
  await distribution.offer(staff, offered.id, nora.partnerId, 72)
  await opportunities.create(staff, {
    name: 'City council service desk', customer_name: 'Brightwater Council', customer_website: 'https://brightwater.example', territory: 'GB',
    expertise: ['Managed services'], estimated_revenue: '64000', currency: 'GBP', expected_close: inDays(120),
    description: 'Public tender; needs a partner with managed services in the UK.', distribution: 'manual'
  })
  return []
}
