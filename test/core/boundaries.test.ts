import path from 'node:path'
import { ESLint } from 'eslint'
import t from 'tap'
import { coreModules } from '../../core/features/modules.ts'

const root = path.resolve(import.meta.dirname, '../..')
const fixtures = path.join(root, 'test/fixtures/boundaries')

const eslintIn = (cwd: string) => new ESLint({
  cwd,
  overrideConfigFile: path.join(root, 'eslint.config.js'),
  overrideConfig: { settings: { 'boundaries/root-path': cwd } }
})

/** Lints one fixture tree with the project's own config: file (relative) → "rule: message" lines. */
async function lintTree(tree: string) {
  const cwd = path.join(fixtures, tree)
  const results = await eslintIn(cwd).lintFiles(['.'])
  return new Map(results.map((r) => [path.relative(cwd, r.filePath), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]))
}

const boundary = 'boundaries/dependencies'
const syntax = 'no-restricted-syntax'

/** Each rule: its planted violations (file → how many times it is reported) and its clean twins. */
const rules = [
  {
    rule: 'core imports a module (core/features/modules.ts only its index.ts)',
    violating: { 'core/reads-a-module.ts': 1, 'core/features/modules.ts': 1 },
    conforming: ['core/features/modules.ts'],
    report: `${boundary}: core imports a module or an add-on`
  },
  {
    rule: "a module imports another module's non-index file (value, type or re-export)",
    violating: { 'modules/opportunities/reads-inner-file.ts': 1, 'modules/opportunities/reads-inner-type.ts': 1, 'modules/opportunities/re-exports-inner-file.ts': 1 },
    conforming: ['modules/opportunities/reads-index.ts'],
    report: `${boundary}: imports another module's inner file`
  },
  {
    rule: 'a later module imported by an earlier one',
    violating: { 'modules/partners/reads-later-module.ts': 1 },
    conforming: ['modules/customers/reads-earlier-module.ts'],
    report: `${boundary}: modules/partners imports a module it does not depend on: it may import only admin`
  },
  {
    rule: 'an add-on imported by core, a module or another add-on (tests may)',
    violating: { 'core/reads-an-addon.ts': 1, 'modules/admin/reads-an-addon.ts': 1, 'plugins/project-service/reads-another-addon.ts': 1 },
    conforming: ['test/imports-an-addon.ts', 'plugins/field-service/index.ts'],
    report: `${boundary}: imports an add-on`
  },
  {
    rule: 'SQL outside repositories and migrations (selectFrom, insertInto, updateTable, deleteFrom, sql``)',
    violating: { 'modules/admin/notes.service.ts': 5 },
    conforming: ['modules/admin/notes.repository.ts', 'migrations/20260101000000_notes.ts'],
    report: `${syntax}: SQL (`
  },
  {
    rule: 'a route, widget, panel or API route imports a repository',
    violating: { 'modules/admin/notes.routes.ts': 1, 'modules/admin/notes.widgets.ts': 1, 'modules/admin/notes.panels.ts': 1, 'modules/admin/saves-notes.routes.ts': 1 },
    conforming: ['modules/admin/notes.routes.ts', 'modules/admin/notes.widgets.ts', 'modules/admin/notes.panels.ts'],
    report: `${boundary}: a route, widget, panel or API route imports a repository`
  },
  {
    rule: 'a route, widget or panel opens a transaction (transaction, startTransaction)',
    violating: { 'modules/admin/saves-notes.routes.ts': 2 },
    conforming: ['modules/admin/notes.service.ts'],
    report: `${syntax}: a route, widget or panel opens a transaction`
  }
]

t.test('each planted violation fails the check, and its clean twin passes', async (t) => {
  const [violating, conforming] = await Promise.all([lintTree('violating'), lintTree('conforming')])
  for (const { rule, violating: planted, conforming: twins, report } of rules) {
    t.test(rule, async (t) => {
      for (const [file, times] of Object.entries(planted)) {
        t.equal(violating.get(file)?.filter((m) => m.startsWith(report)).length, times, `${file} is reported ${times}×`)
      }
      for (const file of twins) t.same(conforming.get(file), [], `${file} passes`)
    })
  }
  const reported = [...violating].flatMap(([file, messages]) => messages.map((m) => `${file} ${m}`))
  t.equal(reported.length, rules.reduce((n, r) => n + Object.values(r.violating).reduce((a, b) => a + b, 0), 0),
    'nothing else in the violating tree is reported', { reported })
  t.same([...conforming].filter(([, messages]) => messages.length > 0), [], 'the whole conforming tree passes')
})

t.test("the order the check enforces is the modules' own dependsOn, followed through", async (t) => {
  const dependsOn = new Map(coreModules.map((m) => [m.name, m.dependsOn ?? []]))
  const reachable = (name: string, seen = new Set<string>()): Set<string> => {
    for (const dep of dependsOn.get(name) ?? []) if (!seen.has(dep)) reachable(dep, seen.add(dep))
    return seen
  }
  const eslint = eslintIn(root)
  for (const from of dependsOn.keys()) {
    for (const to of dependsOn.keys()) {
      if (to === from) continue
      const [result] = await eslint.lintText(`import '../${to}/index.ts'\n`, { filePath: path.join(root, 'modules', from, 'boundary-probe.ts') })
      const refused = result!.messages.some((m) => m.ruleId === boundary)
      t.equal(refused, !reachable(from).has(to), `${from} → ${to}: ${refused ? 'refused' : 'allowed'}`)
    }
  }
})
