import t from 'tap'
import { sql } from 'kysely'
import { audit } from '../../core/data/audit/audit.service.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
const { db, users } = app.diContainer.cradle
const boss = await createUser(app, { email: 'boss@example.com', role: 'admin', name: 'Bo Boss' })
const admin = new Agent(app)
await admin.signIn(boss.email, 'correct-horse-battery')

const entries = (entityId: string) => db.selectFrom('audit_log').selectAll().where('entity_id', '=', entityId).orderBy('at').execute()

t.test('staff changes write audit entries with actor, record and before/after', async (t) => {
  await admin.post('/admin/staff', { email: 'ivy@example.com', name: 'Ivy Invited', role: 'member' })
  const ivy = await db.selectFrom('users').selectAll().where('email', '=', 'ivy@example.com').executeTakeFirstOrThrow()
  await admin.post(`/admin/staff/${ivy.id}/role`, { role: 'admin' })
  await admin.post(`/admin/staff/${ivy.id}/deactivate`)

  const rows = await entries(ivy.id)
  t.same(rows.map((r) => r.action), ['user.invited', 'user.role-changed', 'user.deactivated'])
  t.ok(rows.every((r) => r.actor_id === boss.id && r.actor_name === 'Bo Boss' && r.entity === 'user'), 'by the boss')
  t.match(rows[0]!.after, { email: 'ivy@example.com', name: 'Ivy Invited', status: 'invited' })
  t.notOk(JSON.stringify(rows).includes('password_hash'), 'never the password hash')
  t.same([rows[1]!.before, rows[1]!.after], [{ role: 'member' }, { role: 'admin' }])
  t.same([rows[2]!.before, rows[2]!.after], [{ status: 'active' }, { status: 'deactivated' }].map((s, i) => (i === 0 ? { status: 'invited' } : s)))
})

t.test('a refused change leaves no audit entry', async (t) => {
  const before = (await entries(boss.id)).length
  t.equal((await admin.post(`/admin/staff/${boss.id}/role`, { role: 'member' })).statusCode, 409)
  t.equal((await entries(boss.id)).length, before)
})

t.test('the audit entry is written in the change’s transaction', async (t) => {
  await t.rejects(db.transaction().execute(async (trx) => {
    await users.invite(trx, { id: boss.id, name: boss.name }, {
      email: 'rolled-back@example.com', name: 'Rolled Back', kind: 'staff', role: 'member', invitedBy: boss.name, organisation: 'Test'
    })
    throw new Error('something later in the change failed')
  }))
  t.equal((await db.selectFrom('users').select('id').where('email', '=', 'rolled-back@example.com').execute()).length, 0)
  const trail = await db.selectFrom('audit_log').select('id').where('after', 'is not', null)
    .where('action', '=', 'user.invited').execute()
  t.equal(trail.length, 1, 'only Ivy’s invitation is in the trail')
  t.equal((await db.selectFrom('mail_outbox').select('id').where('to_address', '=', 'rolled-back@example.com').execute()).length, 0)
})

t.test('the audit page filters by record type and record, and pages through them all', async (t) => {
  const record = crypto.randomUUID()
  // One statement each: the timestamps differ by microseconds, as real changes do.
  for (let i = 0; i < 30; i++) await audit(db, { id: null, name: 'system' }, { action: `widget.changed-${i}`, entity: 'widget', entityId: record })
  for (let i = 0; i < 3; i++) await audit(db, { id: null, name: 'system' }, { action: `widget.other-${i}`, entity: 'widget', entityId: crypto.randomUUID() })

  const seen: string[] = []
  let url: string | undefined = `/admin/audit?entity=widget&record=${record}`
  const pages: number[] = []
  while (url) {
    const res = await admin.get(url)
    t.equal(res.statusCode, 200)
    const actions = [...res.body.matchAll(/<code>([\w.-]+)<\/code>/g)].map((m) => m[1]!)
    pages.push(actions.length)
    seen.push(...actions)
    url = /href="([^"]+)">Next page/.exec(res.body)?.[1]?.replace(/&amp;/g, '&')
    if (pages.length > 5) break
  }
  t.same(pages, [25, 5], 'two pages of 25 and 5')
  t.same([...seen].sort(), Array.from({ length: 30 }, (_, i) => `widget.changed-${i}`).sort(), 'every entry once, no other record')

  const byType = await admin.get('/admin/audit?entity=user')
  t.notMatch(byType.body, 'widget.')
  t.match(byType.body, 'user.invited')
})

t.test('paging does not lose entries made within the same millisecond', async (t) => {
  const record = crypto.randomUUID()
  // A burst of changes: distinct timestamps, microseconds apart, all in one millisecond.
  for (let i = 0; i < 30; i++) {
    await db.insertInto('audit_log').values({
      at: sql<Date>`'2026-03-01 12:00:00.123000+00'::timestamptz + make_interval(secs => ${i} / 1000000.0)`,
      actor_name: 'system', action: `burst-${i}`, entity: 'burst', entity_id: record, before: null, after: null
    }).execute()
  }
  const first = await admin.get(`/admin/audit?record=${record}`)
  const next = /href="([^"]+)">Next page/.exec(first.body)?.[1]?.replace(/&amp;/g, '&')
  t.ok(next, 'there is a next page')
  const second = await admin.get(next!)
  const seen = [first.body, second.body].flatMap((b) => [...b.matchAll(/<code>(burst-\d+)<\/code>/g)].map((m) => m[1]!))
  t.equal(seen.length, 30)
  t.equal(new Set(seen).size, 30, 'each entry shown once')
})

t.test('plain staff may read the audit trail; visitors may not', async (t) => {
  await createUser(app, { email: 'reader@example.com' })
  const reader = new Agent(app)
  await reader.signIn('reader@example.com', 'correct-horse-battery')
  t.equal((await reader.get('/admin/audit')).statusCode, 200)
  t.equal((await new Agent(app).get('/admin/audit')).statusCode, 303)
})
