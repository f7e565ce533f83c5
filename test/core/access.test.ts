import t from 'tap'
import { ChannelAreas, partnerViewer, permissionsOf, requireArea, signedIn, type Viewer } from '../../core/identity/access.ts'
import { NotFound, type Invalid } from '../../core/lib/errors.ts'
import { defaultPermissions } from '../fixtures/permissions.ts'

const person = (kind: Viewer['kind'], partnerStatus: string | null): Viewer => ({
  id: 'u1', email: 'a@example.com', name: 'A', kind, role: 'member', partnerId: kind === 'partner' ? 'p1' : null,
  partnerStatus, permissions: defaultPermissions, sessionVersion: 1
})

t.test('signedIn answers the viewer, or 401 for nobody', async (t) => {
  t.equal(signedIn({ viewer: person('staff', null) }).id, 'u1')
  t.throws(() => signedIn({ viewer: null }), /Please sign in/)
})

t.test('partnerViewer admits only users of an active partner', async (t) => {
  t.equal(partnerViewer({ viewer: person('partner', 'active') }).partnerId, 'p1')
  t.throws(() => partnerViewer({ viewer: person('partner', 'pending') }), /for partners/)
  t.throws(() => partnerViewer({ viewer: person('staff', null) }), /for partners/)
  t.throws(() => partnerViewer({ viewer: null }), /Please sign in/)
})

t.test('the areas and grants are those registered; each fills in its defaults, and only the actions that apply are read', async (t) => {
  const areas = new ChannelAreas([
    { name: 'customers', label: 'Customers', scope: 'own', actions: { create: true, edit: true, delete: false } },
    { name: 'opportunities', label: 'Opportunities', scope: 'none', actions: { edit: false } }
  ], [{ name: 'acceptOffers', label: 'May answer offers', default: false }])
  t.same(areas.defaults, {
    customers: { scope: 'own', create: true, edit: true, delete: false },
    opportunities: { scope: 'none', create: false, edit: false, delete: false },
    acceptOffers: false
  })
  const stored = { opportunities: { scope: 'company', create: true, edit: true }, cases: { scope: 'company' }, acceptOffers: true, closeCases: true }
  t.same(areas.normalise(stored), {
    customers: { scope: 'own', create: true, edit: true, delete: false },
    opportunities: { scope: 'company', create: false, edit: true, delete: false },
    acceptOffers: true
  }, 'an action that does not apply stays false; an area or a grant no feature registers is left out')
  t.same(areas.fromForm({ customers_scope: 'company', customers_delete: 'on', opportunities_scope: 'own', opportunities_create: 'on', grant_acceptOffers: 'on' }), {
    customers: { scope: 'company', create: false, edit: false, delete: true },
    opportunities: { scope: 'own', create: false, edit: false, delete: false },
    acceptOffers: true
  })
  const refused = t.throws(() => areas.fromForm({ customers_scope: 'all', customers_create: 'on', grant_acceptOffers: 'on' })) as Invalid
  t.same(refused.fields, { customers_scope: 'Choose an access level for customers.', opportunities_scope: 'Choose an access level for opportunities.' })
  t.same(areas.asFilledIn({ customers_scope: 'all', customers_create: 'on', grant_acceptOffers: 'on' }), {
    customers: { scope: 'own', create: true, edit: false, delete: false },
    opportunities: { scope: 'none', create: false, edit: false, delete: false },
    acceptOffers: true
  }, 'a refused grid is shown again as it was filled in, a bad scope at its default')
})

t.test('a partner admin may do everything in every area; nobody anything in an area that is not registered', async (t) => {
  const areas = new ChannelAreas([{ name: 'customers', label: 'Customers', scope: 'none', actions: { create: false } }], [{ name: 'acceptOffers', label: 'May answer offers', default: false }])
  const admin = { ...person('partner', 'active'), role: 'admin' as const, permissions: areas.defaults }
  t.same(permissionsOf(admin), { customers: { scope: 'company', create: true, edit: true, delete: true }, acceptOffers: true })
  t.equal(requireArea(admin, 'customers', 'delete'), 'company')
  t.throws(() => requireArea({ ...admin, role: 'member' }, 'customers'), new NotFound())
  t.throws(() => requireArea(admin, 'opportunities'), new NotFound(), 'an area no enabled feature registers')
})
