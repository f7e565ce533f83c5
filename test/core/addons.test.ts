import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../core/app.ts'
import { ConfigError } from '../../core/config.ts'
import { seedDemo } from '../../core/features/demo.ts'
import { FeatureError } from '../../core/features/features.ts'
import { findUserByEmail } from '../../core/identity/users/users.repository.ts'
import { createCustomer } from '../fixtures/customers.ts'
import { createActivePartner, createEmployee, partnerPassword } from '../fixtures/partners.ts'
import { Agent, buildTestApp, fixtureAddonDirs, serverUrl, testConfig, testDatabaseEnv } from '../helper.ts'

const sampleCss = readFileSync(path.resolve(import.meta.dirname, '../fixtures/addons/sample/assets/sample.css'))

const matches = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!)
const mainNav = (html: string) => matches(/<nav class="mainnav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '', /<a href="([^"]+)"/g)

/** Everywhere a feature's contributions can show, as the app shows them to a visitor and to a partner admin. */
async function whatAppears(app: FastifyInstance): Promise<Record<string, string[]>> {
  const acme = await createActivePartner(app, 'acme')
  const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
  const admin = new Agent(app)
  await admin.signIn(acme.email, acme.password)
  const home = (await admin.get('/portal')).body
  const visitor = (await app.inject('/signin')).body
  const { db, config } = app.diContainer.cradle
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`.execute(db)
  const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
  return {
    'visitor nav entries': mainNav(visitor),
    'partner nav entries': mainNav(home),
    widgets: matches(home, /<h2 id="w-([^"]+)"/g),
    panels: matches((await admin.get(`/portal/customers/${accountId}`)).body, /<h2 id="panel-([^"]+)"/g),
    'areas of the team page': matches((await admin.get('/portal/team/invite')).body, /name="([a-z-]+)_scope"/g),
    'grants of the team page': matches((await admin.get('/portal/team/invite')).body, /name="grant_(\w+)"/g),
    stylesheets: matches(visitor, /<link rel="stylesheet" href="([^"?]+)/g),
    routes: app.routeCatalog.map((r) => `${r.method} ${r.url}`),
    tables: tables.rows.map((r) => r.name),
    migrations: migrations.rows.map((r) => r.name),
    'config variables': Object.keys(config).filter((k) => /^[A-Z_]+$/.test(k)).sort()
  }
}

const sampleBrings: Record<string, string[]> = {
  'visitor nav entries': ['/sample'],
  'partner nav entries': ['/portal/sample'],
  widgets: ['sample-notes'],
  panels: ['sample-notes'],
  'areas of the team page': ['sample'],
  'grants of the team page': ['publishSamples'],
  stylesheets: ['/assets/sample/sample.css'],
  routes: ['GET /sample', 'GET /portal/sample'],
  tables: ['sample_notes'],
  migrations: ['20261201000000_sample_notes@sample'],
  'config variables': ['SAMPLE_GREETING']
}

t.test('enabled, everything the fixture add-on brings appears; disabled, none of it does and nothing else changes', async (t) => {
  // The disabled add-on's variable is not read at all: a value it would refuse stops nothing.
  const { app: enabled } = await buildTestApp(t, { PORTAL_ADDONS: 'sample', SAMPLE_GREETING: 'Field notes' }, { addonDirs: fixtureAddonDirs })
  const { app: disabled } = await buildTestApp(t, { SAMPLE_GREETING: 'x' }, { addonDirs: fixtureAddonDirs })
  const on = await whatAppears(enabled)
  const off = await whatAppears(disabled)
  for (const [place, own] of Object.entries(sampleBrings)) {
    t.same(on[place]!.filter((x) => own.includes(x)), own, `enabled: its ${place}`)
    t.same(on[place]!.filter((x) => !own.includes(x)), off[place], `disabled: none of its ${place}, and the others as they were`)
  }
  t.same(on['visitor nav entries']!.slice(-2), ['/sample', '/signin'], 'its public entry in its order, before core’s Sign in')
})

t.test('its templates, addressed by its name, use its own partials and core’s components; its stylesheet is served like core’s', async (t) => {
  const { app } = await buildTestApp(t, { PORTAL_ADDONS: 'sample', SAMPLE_GREETING: 'Field notes' }, { addonDirs: fixtureAddonDirs })
  const page = await app.inject('/sample')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h1 class="sample-title">Field notes</h1>', 'its config variable, read at start-up')
  t.match(page.body, '<p class="sample-count">0 sample notes</p>', 'its own partial, included relatively')
  t.match(page.body, '<p class="empty-title">No notes yet.</p>', 'a component of core')

  const href = /<link rel="stylesheet" href="(\/assets\/sample\/sample\.css\?v=[0-9a-f]{10})">/.exec(page.body)?.[1]
  t.ok(href, 'linked by the layout with a hashed URL')
  const css = await app.inject({ url: href!, headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(css.headers['content-encoding'], 'br')
  t.match(css.headers['cache-control'], /max-age=31536000.*immutable/)
  t.ok(zlib.brotliDecompressSync(css.rawPayload).equals(sampleCss))
  t.equal(app.views.render('sample/count', { notes: 2 }).trim(), '<p class="sample-count">2 sample notes</p>')
  t.throws(() => app.views.render('sample/../../orphan/index.ts'), /outside the views folders/, 'nothing outside its folder')
})

t.test('its demo data is loaded with the others’ on an empty database', async (t) => {
  const { app } = await buildTestApp(t, { PORTAL_ADDONS: 'sample' }, { addonDirs: fixtureAddonDirs })
  t.ok(await seedDemo(app))
  t.equal(await app.diContainer.cradle.sampleNotes.count(), 1)
})

/** The error start-up fails with, if it fails. */
async function startUpError(env: Record<string, string>): Promise<unknown> {
  try {
    const app = await buildApp(testConfig({ DATA_DIR: 'memory://', ...env }), { addonDirs: fixtureAddonDirs })
    await app.close()
  } catch (err) {
    return err
  }
}

t.test('a bad value of its config variable stops start-up with a message naming it', async (t) => {
  const err = await startUpError({ PORTAL_ADDONS: 'sample', SAMPLE_GREETING: 'x' })
  t.type(err, ConfigError)
  t.match(err, { variable: 'SAMPLE_GREETING', message: /SAMPLE_GREETING.*Heading of the sample add-on/ })
})

t.test('an unknown add-on stops start-up with a message naming it', async (t) => {
  const err = await startUpError({ PORTAL_ADDONS: 'sample,no-such-addon' })
  t.type(err, FeatureError)
  t.match(err, { message: /"no-such-addon"/ })
})

t.test('an add-on whose dependency is not enabled stops start-up with a message naming both', async (t) => {
  const err = await startUpError({ PORTAL_ADDONS: 'orphan' })
  t.type(err, FeatureError)
  t.match(err, { message: /"orphan" needs "absent-feature"/ })
})

/** A database that outlives the apps built on it, so that one app can follow another. */
async function lastingDatabase(t: Test): Promise<Record<string, string>> {
  if (serverUrl) return testDatabaseEnv(t)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pp-addon-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { DATA_DIR: dir }
}

t.test('enabled later on an existing database, it migrates forward with the data intact; access to its area outlives its being disabled', async (t) => {
  const dbEnv = await lastingDatabase(t)
  const withApp = async <T>(addons: string, use: (app: FastifyInstance) => Promise<T>): Promise<T> => {
    const app = await buildApp(testConfig({ ...dbEnv, PORTAL_ADDONS: addons }), { addonDirs: fixtureAddonDirs })
    try {
      return await use(app)
    } finally {
      await app.close()
    }
  }
  const signedIn = async (app: FastifyInstance, email: string) => {
    const agent = new Agent(app)
    await agent.signIn(email, partnerPassword)
    return agent
  }
  const stored = async (app: FastifyInstance) => (await findUserByEmail(app.diContainer.cradle.db, 'sam@acme.example'))!.permissions

  const { acme, accountId } = await withApp('', async (app) => {
    const acme = await createActivePartner(app, 'acme')
    await createEmployee(app, acme.partner.id, 'sam@acme.example')
    const { accountId } = await createCustomer(app, acme.admin.id, 'Globex')
    return { acme, accountId }
  })

  await withApp('sample', async (app) => {
    const admin = await signedIn(app, acme.email)
    t.equal((await admin.get(`/portal/customers/${accountId}`)).statusCode, 200, 'the data from before is there')
    t.match((await admin.get(`/portal/customers/${accountId}`)).body, 'id="panel-sample-notes"', 'and the add-on works on it')
    const sam = await signedIn(app, 'sam@acme.example')
    t.equal((await sam.get('/portal/sample')).statusCode, 404, 'a new employee does not see its area: its default is none')
    const samId = (await findUserByEmail(app.diContainer.cradle.db, 'sam@acme.example'))!.id
    const grid = (await admin.get(`/portal/team/${samId}`)).body
    t.match(grid, '<th scope="row">Sample notes</th>', 'the team page has its row')
    t.ok(grid.includes('name="sample_create"') && !grid.includes('name="sample_edit"') && !grid.includes('name="sample_delete"'), 'with the one action that applies')
    const saved = await admin.post(`/portal/team/${samId}/permissions`, {
      customers_scope: 'own', customers_create: 'on', opportunities_scope: 'own', cases_scope: 'own', sample_scope: 'company', sample_create: 'on'
    })
    t.equal(saved.statusCode, 303)
    t.match((await sam.get('/portal/sample')).body, 'company notes', 'the permission check reads the area')
  })

  await withApp('', async (app) => {
    const admin = await signedIn(app, acme.email)
    const samId = (await findUserByEmail(app.diContainer.cradle.db, 'sam@acme.example'))!.id
    t.notMatch((await admin.get(`/portal/team/${samId}`)).body, 'sample_scope', 'the team page shows no row for a disabled add-on')
    t.equal((await admin.post(`/portal/team/${samId}/permissions`, { customers_scope: 'company', opportunities_scope: 'own', cases_scope: 'own' })).statusCode, 303)
    t.match(await stored(app), { customers: { scope: 'company' }, sample: { scope: 'company', create: true } }, 'saving the page keeps its choices')
    const sam = await signedIn(app, 'sam@acme.example')
    t.notOk(mainNav((await sam.get('/portal')).body).includes('/portal/sample'))
  })

  await withApp('sample', async (app) => {
    const sam = await signedIn(app, 'sam@acme.example')
    t.match((await sam.get('/portal/sample')).body, 'company notes', 'enabled again, the access given before applies')
    t.ok(mainNav((await sam.get('/portal')).body).includes('/portal/sample'))
  })
})
