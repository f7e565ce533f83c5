import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoActor, demoViewer } from '../../core/features/demo.ts'
import { demoStaff } from '../admin/index.ts'
import { backdate } from './cases.repository.ts'
import type { CaseStatus, CaseType, Priority } from './cases.table.ts'

const day = 86_400_000
const ago = (n: number) => new Date(Date.now() - n * day)

const demo: Array<{ subject: string; type: CaseType; priority: Priority; status: CaseStatus; deal?: string; days: number; reply?: string; note?: string }> = [
  { subject: 'Licence keys for the new site do not activate', type: 'problem', priority: 'high', status: 'new', days: 0 },
  { subject: 'Partner portal sign-in fails for two colleagues', type: 'problem', priority: 'urgent', status: 'new', days: 4 },
  { subject: 'Pricing approval needed before the customer meeting', type: 'deal_support', priority: 'urgent', status: 'open', deal: 'Fleet tracking rollout', days: 1,
    reply: 'We are checking the discount with the pricing desk and come back today.', note: 'Discount above 20% needs the VP’s sign-off.' },
  { subject: 'Which SKU covers the warehouse scanners?', type: 'question', priority: 'normal', status: 'waiting', deal: 'Warehouse scanners', days: 3,
    reply: 'Could you tell us how many scanners per site the customer needs?' },
  { subject: 'Demo environment for the analytics add-on', type: 'request', priority: 'low', status: 'resolved', days: 6,
    reply: 'Your demo environment is ready; the sign-in is in your inbox.' },
  { subject: 'Invoice shows the wrong partner discount', type: 'problem', priority: 'normal', status: 'closed', days: 30,
    reply: 'We corrected the invoice and sent you the new one.' },
  { subject: 'Duplicate of the licence key question', type: 'question', priority: 'low', status: 'cancelled', days: 2 }
]

/** Cases in every state for the demo partners, some about their deals (one in its last stage, raised in the queue), with replies and an internal note. */
export async function seedCases(cradle: Cradle): Promise<DemoAccount[]> {
  const { cases, caseDesk, caseTargets, pipeline, db } = cradle
  const staff = await demoActor(cradle, demoStaff[0]!.email)
  const nora = await demoViewer(cradle, 'nora@northwind.example')
  if (!nora) return []
  const deals = (await pipeline.list(nora, { status: 'open' }, 50)).items
  for (const d of demo) {
    const deal = deals.find((o) => o.name === d.deal)
    const created = await cases.open(nora, {
      subject: d.subject, body: `${d.subject}.\n\nThe customer asked us this week; could you help?`, type: d.type, priority: d.priority,
      account_id: '', opportunity_id: deal?.id ?? '', follow_up_of: ''
    }, undefined)
    if (d.status !== 'new') await caseDesk.assign(staff, created.id, staff.id)
    if (d.reply) await caseDesk.reply(staff, created.id, { body: d.reply, next_status: '' }, undefined)
    if (d.note) await caseDesk.note(staff, created.id, d.note, undefined)
    if (d.status !== 'new' && d.status !== 'open') await caseDesk.setStatus(staff, created.id, d.status)
    await backdate(db, created.id, { createdAt: ago(d.days), ...(d.status === 'resolved' || d.status === 'closed' ? { resolvedAt: ago(Math.max(d.days - 1, 0)) } : {}) })
  }
  await db.transaction().execute((trx) => caseTargets.sweep(trx))
  return []
}
