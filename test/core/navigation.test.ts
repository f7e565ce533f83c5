import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Viewer } from '../../core/identity/access.ts'
import { adminPermissions } from '../fixtures/permissions.ts'
import type { NavItem } from '../../core/web/views.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const staff = (role: Viewer['role']): Viewer => ({
  id: randomUUID(), email: `${role}@example.com`, name: role, kind: 'staff', role, partnerId: null,
  partnerStatus: null, permissions: adminPermissions, sessionVersion: 1
})
const labels = (items: NavItem[]) => items.map((i) => ('links' in i ? `${i.menu}: ${i.links.map((l) => l.label).join(', ')}` : i.label))
const current = (items: NavItem[]) => items.flatMap((i) => ('links' in i ? i.links : [i])).filter((l) => l.current).map((l) => l.label)

t.test('staff settings and logs sit in one Settings menu; the longest match is current', async (t) => {
  const { app } = await buildTestApp(t)
  const admin = app.views.navItems(staff('admin'), '/admin/staff')
  t.same(labels(admin), ['Home', 'Applications', 'Partners', 'Customers', 'Opportunities', 'Channel', 'Cases', 'Content: Knowledge, Forums',
    'Settings: Distribution rules, Program, Case targets, Case assignment, Audit trail, Staff, Outbox, Background jobs, Integrations'])
  t.same(current(admin), ['Staff'])
  t.same(admin.filter((i) => 'links' in i).map((i) => i.current), [false, true], 'the menu holding the current page is marked too')
  t.same(current(app.views.navItems(staff('member'), '/admin/forums/manage')), ['Forums'], 'knowledge and forums sit in one Content menu')

  const member = app.views.navItems(staff('member'), '/admin/audit')
  t.same(labels(member).at(-1), 'Audit trail', 'a menu left with one entry is shown as that entry')
  t.same(current(member), ['Audit trail'])

  t.same(current(app.views.navItems(staff('admin'), '/admin/partners/applications')), ['Applications'], 'not Partners, whose address it also lies under')
  t.same(current(app.views.navItems(staff('admin'), '/admin')), ['Home'])
  t.same(current(app.views.navItems(staff('admin'), '/admin/opportunities/rules')), ['Distribution rules'], 'not Opportunities')
})

t.test('the layout draws the menu as a disclosure with the current page inside it', async (t) => {
  const { app } = await buildTestApp(t)
  await createUser(app, { email: 'avery@example.com', role: 'admin' })
  const agent = new Agent(app)
  await agent.signIn('avery@example.com', 'correct-horse-battery')
  const nav = /<nav class="mainnav"[\s\S]*?<\/nav>/.exec((await agent.get('/admin/staff')).body)?.[0] ?? ''
  t.match(nav, /<details class="navmenu">\s*<summary class="current">Settings<\/summary>/)
  t.match(nav, /<ul class="navmenu-panel">[\s\S]*<a href="\/admin\/staff" aria-current="page">Staff<\/a>[\s\S]*<\/ul>\s*<\/details>/)
  t.match(nav, /<a href="\/admin\/opportunities\/rules">Distribution rules<\/a>/)
  const home = /<nav class="mainnav"[\s\S]*?<\/nav>/.exec((await agent.get('/admin')).body)?.[0] ?? ''
  t.match(home, /<summary>Settings<\/summary>/, 'elsewhere the menu is not marked current')
  t.match(home, /<a href="\/admin" aria-current="page">Home<\/a>/)
})

t.test('visitors see the public entries the features declare, then Sign in', async (t) => {
  const { app } = await buildTestApp(t)
  t.same(labels(app.views.navItems(null, '/apply')), ['Find a partner', 'Apply', 'Knowledge base', 'Community', 'Sign in'])
  t.same(current(app.views.navItems(null, '/apply')), ['Apply'])
  const nav = /<nav class="mainnav"[\s\S]*?<\/nav>/.exec((await app.inject('/signin')).body)?.[0] ?? ''
  t.match(nav, /<a href="\/partners">Find a partner<\/a>[\s\S]*<a href="\/apply">Apply<\/a>[\s\S]*<a href="\/kb">Knowledge base<\/a>[\s\S]*<a href="\/signin" aria-current="page">Sign in<\/a>/)
})
