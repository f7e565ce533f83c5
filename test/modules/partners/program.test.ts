import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Invalid } from '../../../core/lib/errors.ts'
import { Agent, buildTestApp, createUser } from '../../helper.ts'
import { createActivePartner, partnerPassword } from '../../fixtures/partners.ts'

async function signedIn(app: FastifyInstance, email: string, role: 'admin' | 'member') {
  await createUser(app, { email, role })
  const agent = new Agent(app)
  await agent.signIn(email, 'correct-horse-battery')
  return agent
}

const program = (app: FastifyInstance) => app.diContainer.cradle.partners.program()
const levels = (app: FastifyInstance) => app.diContainer.cradle.partners.levels()

t.test('a staff admin edits the program page; expertise options are cleaned up and required', async (t) => {
  const { app } = await buildTestApp(t)
  const admin = await signedIn(app, 'chief@staff.example', 'admin')
  const page = await admin.get('/admin/program')
  t.equal(page.statusCode, 200)
  t.match(page.body, /Grow with us as a partner/)
  t.match(page.body, /Implementation\nConsulting/, 'options one per line')

  const before = await program(app)
  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['no headline', { headline: '', intro: 'Hello', expertise_options: 'A' }, /Headline is required/],
    ['markup in the headline', { headline: '<script>x</script>', intro: 'Hello', expertise_options: 'A' }, /Headline must not contain/],
    ['no intro', { headline: 'H', intro: '  ', expertise_options: 'A' }, /Introduction is required/],
    ['only blank options', { headline: 'H', intro: 'Hello', expertise_options: '\n  \n' }, /Expertise options is required|at least one expertise option/],
    ['markup in an option', { headline: 'H', intro: 'Hello', expertise_options: 'Good\n<b>Bad</b>' }, /is not allowed/],
    ['too long an option', { headline: 'H', intro: 'Hello', expertise_options: 'x'.repeat(101) }, /at most 100 characters/],
    ['too long a headline', { headline: 'h'.repeat(161), intro: 'Hello', expertise_options: 'A' }, /at most 160 characters/]
  ]
  for (const [what, form, message] of bad) {
    const res = await admin.post('/admin/program', form)
    t.equal(res.statusCode, 422, `${what} is refused`)
    t.match(res.body, message, `${what}: says why`)
    t.notMatch(res.body, /<script>x/, `${what}: nothing echoed unescaped`)
  }
  t.same(await program(app), before, 'nothing changed')

  const res = await admin.post('/admin/program', { headline: 'Sell with us', intro: 'Our program, <em>briefly</em>.', expertise_options: ' Cloud \r\n\r\nSecurity\nCloud\n  Training  \n' })
  t.equal(res.statusCode, 303)
  const after = await program(app)
  t.equal(after.headline, 'Sell with us')
  t.same(after.expertise_options, ['Cloud', 'Security', 'Training'], 'trimmed, de-duplicated, blank lines dropped')
  t.match((await admin.get('/')).body, /Sell with us/, 'the public page follows')
})

t.test('a staff admin adds, edits and deletes levels; clashes and levels in use are refused', async (t) => {
  const { app } = await buildTestApp(t)
  const admin = await signedIn(app, 'chief@staff.example', 'admin')
  t.match((await admin.get('/admin/program')).body, /No levels yet/)

  t.equal((await admin.post('/admin/program/levels', { name: 'Silver', rank: '2', benefits: 'Leads and training' })).statusCode, 303)
  t.equal((await admin.post('/admin/program/levels', { name: 'Gold', rank: '3', benefits: '' })).statusCode, 303)
  t.same((await levels(app)).map((l) => l.name), ['Silver', 'Gold'])

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a duplicate name', { name: 'silver', rank: '5' }, /A level named Silver exists already/],
    ['a duplicate rank', { name: 'Bronze', rank: '2' }, /Silver already has rank 2/],
    ['no name', { name: '', rank: '5' }, /Name is required/],
    ['markup in the name', { name: '<script>', rank: '5' }, /Name must not contain/],
    ['a rank of 0', { name: 'Bronze', rank: '0' }, /Rank must be a whole number from 1 to 100/],
    ['a text rank', { name: 'Bronze', rank: 'first' }, /Rank must be a whole number/]
  ]
  for (const [what, form, message] of bad) {
    const res = await admin.post('/admin/program/levels', form)
    t.equal(res.statusCode, 422, `${what} is refused`)
    t.match(res.body, message, `${what}: says why`)
  }
  t.equal((await levels(app)).length, 2, 'nothing added')

  const [silver, gold] = await levels(app)
  const clash = await admin.post(`/admin/program/levels/${gold!.id}`, { name: 'Gold', rank: '2', benefits: '' })
  t.equal(clash.statusCode, 422, 'editing into a clash is refused')
  t.match(clash.body, /Silver already has rank 2/)
  t.match(clash.body, /<details open>/, 'the edited level shows its form open')
  const edit = await admin.post(`/admin/program/levels/${gold!.id}`, { name: 'Gold+', rank: '4', benefits: 'Everything' })
  t.equal(edit.statusCode, 303)
  t.same((await levels(app)).map((l) => [l.name, l.rank]), [['Silver', 2], ['Gold+', 4]])
  t.equal((await admin.post('/admin/program/levels/00000000-0000-4000-8000-000000000000', { name: 'X', rank: '9' })).statusCode, 404)

  await createActivePartner(app, 'user-of-silver')
  const inUse = await admin.post(`/admin/program/levels/${silver!.id}/delete`)
  t.equal(inUse.statusCode, 409, 'a level in use is not deleted')
  t.match(inUse.body, /Silver still has 1 partner/)
  t.equal((await levels(app)).length, 2)

  const gone = await admin.post(`/admin/program/levels/${gold!.id}/delete`)
  t.equal(gone.statusCode, 303)
  t.same((await levels(app)).map((l) => l.name), ['Silver'])
  const { db } = app.diContainer.cradle
  t.same((await db.selectFrom('audit_log').select('action').where('entity', '=', 'level').orderBy('at').execute()).map((r) => r.action),
    ['level.created', 'level.created', 'level.updated', 'level.deleted'])
})

t.test('only staff admins manage the program', async (t) => {
  const { app } = await buildTestApp(t)
  const member = await signedIn(app, 'member@staff.example', 'member')
  const { email } = await createActivePartner(app, 'outsider')
  const partner = new Agent(app)
  await partner.signIn(email, partnerPassword)
  const level = (await levels(app))[0]!
  const before = { program: await program(app), levels: await levels(app) }

  for (const [who, agent] of [['staff member', member], ['partner user', partner]] as const) {
    t.equal((await agent.get('/admin/program')).statusCode, 403, `${who}: GET /admin/program`)
    const posts: Array<[string, Record<string, string>]> = [
      ['/admin/program', { headline: 'Hacked', intro: 'Hacked', expertise_options: 'Hacked' }],
      ['/admin/program/levels', { name: 'Hacked', rank: '50' }],
      [`/admin/program/levels/${level.id}`, { name: 'Hacked', rank: '50' }],
      [`/admin/program/levels/${level.id}/delete`, {}]
    ]
    for (const [url, form] of posts) t.equal((await agent.post(url, form)).statusCode, 403, `${who}: POST ${url}`)
  }
  t.same({ program: await program(app), levels: await levels(app) }, before, 'nothing changed')
  t.notMatch((await member.get('/admin')).body, /href="\/admin\/program"/, 'staff members see no Program menu entry')
})

t.test('the partners service itself holds the program to its rules for expertise options', async (t) => {
  const { app } = await buildTestApp(t)
  const { partners } = app.diContainer.cradle
  const before = await partners.program()
  const save = (expertise_options: string[]) => partners.saveProgram({ id: null, name: 'test' }, { headline: 'H', intro: 'I', expertise_options })
  await t.rejects(save([]), new Invalid({ expertise_options: 'Enter at least one expertise option.' }))
  const refused = (option: string) => new Invalid({ expertise_options: `“${option}” is not allowed: an option is at most 100 characters, without < or >.` })
  await t.rejects(save(['Cloud', '<b>']), refused('<b>'))
  await t.rejects(save(['x'.repeat(101)]), refused('x'.repeat(40)))
  await t.rejects(save(Array.from({ length: 101 }, (_, i) => `Option ${i}`)), new Invalid({ expertise_options: 'Enter at most 100 expertise options.' }))
  t.same(await partners.program(), before, 'nothing saved')
  await save(['Cloud'])
  t.same((await partners.program()).expertise_options, ['Cloud'])
})
