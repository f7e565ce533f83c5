import t from 'tap'
import { Agent, buildTestApp, createUser } from '../helper.ts'

t.test('a staff admin signs in and sees the admin home', async (t) => {
  const { app } = await buildTestApp(t)
  await createUser(app, { email: 'boss@example.com', role: 'admin', name: 'Bo Boss' })
  const agent = new Agent(app)
  const res = await agent.signIn('boss@example.com', 'correct-horse-battery')
  t.equal(res.headers.location, '/admin')
  const home = await agent.get('/admin')
  t.equal(home.statusCode, 200)
  t.match(home.body, /Good to see you, Bo/)
})
