import t from 'tap'
import { defaultPermissions, partnerViewer, signedIn, type Viewer } from '../../core/access.ts'

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
