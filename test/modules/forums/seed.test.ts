import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { seedDemo } from '../../../core/features/demo.ts'

t.test('the demo data has forums, a pinned announcement, answered and open questions', async (t) => {
  const { app } = await buildTestApp(t)
  await seedDemo(app)
  const visitor = new Agent(app)
  const open = await visitor.get('/forums')
  t.match(open.body, /Product questions/)
  t.notMatch(open.body, /Announcements|Selling and pricing/, 'visitors see only the public forum')
  const colin = new Agent(app)
  await colin.signIn('colin@contoso.example', 'portal-partner-demo')
  const home = await colin.get('/portal/forums')
  t.match(home.body, /Announcements[\s\S]*Selling and pricing[\s\S]*Product questions/)
  t.notMatch(home.body, /Gold lounge/, 'a Silver partner does not see the Gold lounge')
  const announcements = /href="(\/portal\/forums\/f\/[0-9a-f-]{36})">Announcements/.exec(home.body)?.[1]
  t.match((await colin.get(announcements!)).body, /Welcome to the partner forums[\s\S]*Pinned[\s\S]*New margins from January/)
  const selling = /href="(\/portal\/forums\/f\/[0-9a-f-]{36})">Selling and pricing/.exec(home.body)?.[1]
  const list = await colin.get(selling!)
  t.match(list.body, /How do you handle multi-year renewals\?[\s\S]*Answered/)
  t.match(list.body, /Competing on price against resellers[\s\S]*Question/)
  const nora = new Agent(app)
  await nora.signIn('nora@northwind.example', 'portal-partner-demo')
  t.notMatch((await nora.get(selling!)).body, /Contoso Solutions/, 'a hidden company stays hidden in the demo too')
  t.match((await nora.get('/portal/forums')).body, /Gold lounge/)
})
