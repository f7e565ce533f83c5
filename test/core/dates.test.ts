import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helper.ts'

t.test('a date column reads as that day at midnight UTC, whatever the server’s time zone', async (t) => {
  const { app } = await buildTestApp(t)
  const zone = process.env.TZ
  t.teardown(() => { if (zone === undefined) delete process.env.TZ; else process.env.TZ = zone })
  for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
    process.env.TZ = tz
    const { rows } = await sql<{ d: Date }>`select '2026-12-04'::date as d`.execute(app.diContainer.cradle.db)
    t.equal(rows[0]!.d.toISOString(), '2026-12-04T00:00:00.000Z', tz)
  }
})
