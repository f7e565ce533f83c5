import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const { app } = await buildTestApp(t)
await createUser(app, { email: 'staff@example.com' })

t.test('a wrong password answers 422 with a message that reveals nothing', async (t) => {
  const agent = new Agent(app)
  await agent.get('/signin')
  for (const email of ['staff@example.com', 'nobody@example.com']) {
    const res = await agent.post('/signin', { email, password: 'wrong-password' })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The e-mail or password is not right.')
    t.notOk(agent.has('pp_session'))
  }
})

t.test('the 11th sign-in attempt within a minute answers 429 with a clear message', async (t) => {
  const agent = new Agent(app)
  await agent.get('/signin')
  for (let i = 1; i <= 10; i++) {
    const res = await agent.post('/signin', { email: 'staff@example.com', password: `wrong-${i}` })
    t.equal(res.statusCode, 422, `attempt ${i} is checked`)
  }
  const blocked = await agent.post('/signin', { email: 'staff@example.com', password: 'correct-horse-battery' })
  t.equal(blocked.statusCode, 429)
  t.match(blocked.body, /Too many sign-in attempts\. Wait \d+ seconds and try again\./)
  t.notOk(agent.has('pp_session'), 'even the right password does not sign in')
  t.equal((await new Agent(app).signIn('staff@example.com', 'correct-horse-battery')).statusCode, 303, 'another client still can')
})
