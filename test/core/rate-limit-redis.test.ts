import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Agent, buildTestApp, createUser, redisUrl } from '../helper.ts'

t.test('instances sharing Redis count sign-in attempts together', { skip: redisUrl ? false : 'TEST_REDIS_URL is not set' }, async (t) => {
  const { app: first, env } = await buildTestApp(t, { REDIS_URL: redisUrl! })
  const { app: second } = await buildTestApp(t, { REDIS_URL: redisUrl! }, { dbEnv: env })
  await createUser(first, { email: 'staff@example.com' })

  // A fresh client address each run: Redis keeps the counts of earlier runs for their minute.
  const ip = `10.${[...randomBytes(3)].join('.')}`
  const [a, b] = [new Agent(first, ip), new Agent(second, ip)]
  await a.get('/signin')
  await b.get('/signin')
  for (let i = 1; i <= 10; i++) {
    const res = await (i % 2 ? a : b).post('/signin', { email: 'staff@example.com', password: `wrong-${i}` })
    t.equal(res.statusCode, 422, `attempt ${i}, on the ${i % 2 ? 'first' : 'second'} instance, is checked`)
  }
  for (const [agent, name] of [[a, 'first'], [b, 'second']] as const) {
    const blocked = await agent.post('/signin', { email: 'staff@example.com', password: 'correct-horse-battery' })
    t.equal(blocked.statusCode, 429, `the 11th attempt is refused on the ${name} instance too`)
    t.match(blocked.body, /Too many sign-in attempts/)
  }
})

t.test('instances sharing Redis count password-reset requests per address together', { skip: redisUrl ? false : 'TEST_REDIS_URL is not set' }, async (t) => {
  const { app: first, env } = await buildTestApp(t, { REDIS_URL: redisUrl! })
  const { app: second } = await buildTestApp(t, { REDIS_URL: redisUrl! }, { dbEnv: env })
  // A fresh address each run: Redis keeps the counts of earlier runs for their hour.
  const email = `reset-${randomBytes(4).toString('hex')}@example.com`
  for (let i = 1; i <= 3; i++) {
    const agent = new Agent(i % 2 ? first : second)
    await agent.get('/signin/forgot')
    t.equal((await agent.post('/signin/forgot', { email })).statusCode, 200, `request ${i} is taken`)
  }
  for (const [app, name] of [[first, 'first'], [second, 'second']] as const) {
    const agent = new Agent(app)
    await agent.get('/signin/forgot')
    const blocked = await agent.post('/signin/forgot', { email })
    t.equal(blocked.statusCode, 429, `the 4th request for the address is refused on the ${name} instance`)
  }
})

t.test('with Redis out of reach, sign-in still works and attempts go uncounted', async (t) => {
  const { app } = await buildTestApp(t, { REDIS_URL: 'redis://127.0.0.1:1' })
  await createUser(app, { email: 'staff@example.com' })
  const agent = new Agent(app)
  await agent.get('/signin')
  const wrong = await agent.post('/signin', { email: 'staff@example.com', password: 'wrong-password' })
  t.equal(wrong.statusCode, 422, 'a wrong password is still checked')
  t.equal((await agent.signIn('staff@example.com', 'correct-horse-battery')).statusCode, 303, 'and the right one signs in')
})
