import t from 'tap'
import type { ChannelPermissions, PartnerViewer, Scope } from '../../core/identity/access.ts'
import { reachOf } from '../../core/identity/reach.ts'

const employee = (scope: Scope, role: PartnerViewer['role'] = 'member'): PartnerViewer => ({
  id: 'u1', email: 'e@acme.example', name: 'E', kind: 'partner', role, partnerId: 'p1', partnerStatus: 'active', sessionVersion: 1,
  permissions: { customers: { scope, create: true, edit: true, delete: false }, acceptOffers: false } as unknown as ChannelPermissions
})

t.test('"own records" reach the viewer\'s own, "company" every record of the company', async (t) => {
  t.same(reachOf(employee('own'), 'customers'), { partnerId: 'p1', ownerId: 'u1' })
  t.same(reachOf(employee('company'), 'customers'), { partnerId: 'p1', ownerId: null })
  t.same(reachOf(employee('own', 'admin'), 'customers'), { partnerId: 'p1', ownerId: null }, 'a partner admin sees the whole company')
})

t.test('no access to the area answers 404, as for a page that does not exist', async (t) => {
  t.throws(() => reachOf(employee('none'), 'customers'), /was not found/)
})
