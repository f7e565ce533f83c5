import t from 'tap'
import { passwordProblem } from '../../core/identity/auth/password-rules.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { Agent, buildTestApp, createUser } from '../helper.ts'

const nora = { email: 'nora@northwind.example', name: 'Nora Northwind' }

t.test('length over composition: long passphrases pass, with no digit or symbol required', async (t) => {
  for (const ok of ['correct horse battery', 'tulip-gravel-lantern-ocean', 'zebras eat kale daily', 'x'.repeat(3) + 'yzw'.repeat(40)]) {
    t.equal(passwordProblem(ok, nora), undefined, ok)
  }
})

t.test('common passwords from the shipped list are refused, also with digits or symbols around them or doubled', async (t) => {
  for (const bad of ['1qaz2wsx3edc', 'qwerty123456', 'password1234', 'Password123!', '!!iloveyou2024', 'qwertyqwerty', 'football1234', 'baseball2000']) {
    t.match(passwordProblem(bad, nora), /most commonly used/, bad)
  }
})

t.test('repetitive passwords, and the person’s own name or address, are refused', async (t) => {
  t.match(passwordProblem('aaaaaaaaaaaaaa', nora), /repeats too few characters/)
  t.match(passwordProblem('abababababab', nora), /repeats too few characters/)
  for (const bad of ['nora@northwind.example', 'Nora.Northwind', 'northwind2026!', 'NoraNorthwind', 'nora@northwind.example!!', 'Partner Portal']) {
    t.match(passwordProblem(bad, nora), /your name or e-mail address/, bad)
  }
})

t.test('the demo passwords in the README pass', async (t) => {
  for (const [email, name, pass] of [
    ['admin@example.com', 'Avery Admin', 'portal-admin-demo'], ['staff@example.com', 'Sam Staff', 'portal-staff-demo'],
    ['nora@northwind.example', 'Nora North', 'portal-partner-demo'], ['sid@northwind.example', 'Sid Sales', 'portal-partner-demo'],
    ['colin@contoso.example', 'Colin Contoso', 'portal-partner-demo'], ['fabien@fabrikam.example', 'Fabien Fabrikam', 'portal-partner-demo']
  ] as const) t.equal(passwordProblem(pass, { email, name }), undefined, pass)
})

t.test('the rules apply where a password is set: changing it on the account page, and creating a user', async (t) => {
  const { app } = await buildTestApp(t)
  const user = await createUser(app, { email: 'pat@example.com', name: 'Pat Person' })
  const agent = new Agent(app)
  await agent.signIn(user.email, 'correct-horse-battery')
  const short = await agent.post('/account/password', { current: 'correct-horse-battery', password: 'elevenchars', confirm: 'elevenchars' })
  t.equal(short.statusCode, 422)
  t.match(short.body, 'New password must be 12 to 128 characters long.')
  const long = 'a-b'.repeat(43)
  t.equal((await agent.post('/account/password', { current: 'correct-horse-battery', password: long, confirm: long })).statusCode, 422, 'over 128 characters')
  const own = await agent.post('/account/password', { current: 'correct-horse-battery', password: 'pat-person-2026', confirm: 'pat-person-2026' })
  t.equal(own.statusCode, 422)
  t.match(own.body, 'made of your name or e-mail address')
  const common = await agent.post('/account/password', { current: 'correct-horse-battery', password: 'sunshine12345', confirm: 'sunshine12345' })
  t.match(common.body, 'most commonly used')
  t.equal((await agent.post('/account/password', { current: 'correct-horse-battery', password: 'violet-harbour-kettle', confirm: 'violet-harbour-kettle' })).statusCode, 303)
  const refused = await createUser(app, { email: 'weak@example.com', password: 'password1234' }).then(() => undefined, (err: unknown) => err)
  t.ok(refused instanceof Invalid, 'creating a user with a common password fails')
  t.match((refused as Invalid).fields.password, 'most commonly used')
})
