import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { adminPermissions, type Viewer } from '../../core/access.ts'
import { buildApp } from '../../core/app.ts'
import { FeatureError } from '../../core/features.ts'
import { Agent, buildTestApp, createUser, fixtureAddonDirs, testConfig } from '../helper.ts'

async function tableExists(app: FastifyInstance, table: string): Promise<boolean> {
  const { rows } = await sql<{ name: string | null }>`select to_regclass(${table})::text as name`.execute(app.diContainer.cradle.db)
  return rows[0]?.name === table
}

/** The main navigation a newly created staff member sees on the admin home. */
async function staffNav(app: FastifyInstance): Promise<string> {
  await createUser(app, { email: 'staff@example.com' })
  const agent = new Agent(app)
  await agent.signIn('staff@example.com', 'correct-horse-battery')
  const res = await agent.get('/admin')
  return /<nav class="mainnav"[\s\S]*?<\/nav>/.exec(res.body)?.[0] ?? ''
}

const partnerAdmin: Viewer = {
  id: randomUUID(), email: 'p@example.com', name: 'P', kind: 'partner', role: 'admin', partnerId: randomUUID(),
  partnerStatus: 'active', permissions: adminPermissions, sessionVersion: 1
}

t.test('an enabled add-on brings its route, its nav entry and its table', async (t) => {
  const { app } = await buildTestApp(t, { PORTAL_ADDONS: 'sample' }, { addonDirs: fixtureAddonDirs })
  const res = await app.inject('/sample')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { feature: 'sample', notes: 0 })
  t.ok(await tableExists(app, 'sample_notes'), 'its migration ran')
  t.match(await staffNav(app), 'href="/sample"', 'staff see its entry')
  t.notOk(app.views.navFor(partnerAdmin).some((e) => e.href === '/sample'), 'partners do not')
  t.notMatch((await app.inject('/signin')).body, 'href="/sample"', 'visitors do not')
})

t.test('a disabled add-on leaves no route, no nav entry and no table', async (t) => {
  const { app } = await buildTestApp(t, {}, { addonDirs: fixtureAddonDirs })
  t.equal((await app.inject('/sample')).statusCode, 404)
  t.notOk(await tableExists(app, 'sample_notes'))
  const nav = await staffNav(app)
  t.match(nav, 'href="/admin/audit"', 'the nav is there')
  t.notMatch(nav, 'href="/sample"')
})

/** The error start-up fails with, if it fails. */
async function startUpError(addons: string): Promise<unknown> {
  try {
    const app = await buildApp(testConfig({ DATA_DIR: 'memory://', PORTAL_ADDONS: addons }), { addonDirs: fixtureAddonDirs })
    await app.close()
  } catch (err) {
    return err
  }
}

t.test('an unknown add-on stops start-up with a message naming it', async (t) => {
  const err = await startUpError('sample,no-such-addon')
  t.type(err, FeatureError)
  t.match(err, { message: /"no-such-addon"/ })
})

t.test('an add-on whose dependency is not enabled stops start-up with a message naming both', async (t) => {
  const err = await startUpError('orphan')
  t.type(err, FeatureError)
  t.match(err, { message: /"orphan" needs "absent-feature"/ })
})
