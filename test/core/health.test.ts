import t from 'tap'
import { buildTestApp } from '../helper.ts'

t.test('/healthz and /readyz answer 200 while the database is reachable', async (t) => {
  const { app } = await buildTestApp(t)
  const health = await app.inject('/healthz')
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
  t.notOk(health.cookies.length, 'no cookies for load balancers')
})
