import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'
import boundaries from 'eslint-plugin-boundaries'

/**
 * The module boundaries (issue 11). eslint-plugin-boundaries checks the imports: core imports no
 * module or add-on (the composition root core/features/modules.ts imports the modules' index.ts), a module
 * or add-on imports only another module's index.ts, nothing imports an add-on, and no route,
 * widget, panel or API route imports a repository. no-restricted-syntax keeps SQL in repositories and
 * migrations and transactions out of routes, widgets and panels. test/ and bench/ may do anything.
 *
 * Module order is not written in this file: it is each modules/<name>/index.ts's `dependsOn`,
 * read here. A module may import the index.ts of the modules it depends on, directly or through
 * them, and nothing of a module it does not depend on.
 */
function moduleDependencies() {
  const modulesDir = path.join(import.meta.dirname, 'modules')
  const direct = new Map()
  for (const name of readdirSync(modulesDir)) {
    const index = path.join(modulesDir, name, 'index.ts')
    if (!existsSync(index)) continue
    const list = /dependsOn:\s*\[([^\]]*)\]/.exec(readFileSync(index, 'utf8'))?.[1] ?? ''
    direct.set(name, [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]))
  }
  const closure = (name, seen = new Set()) => {
    for (const dep of direct.get(name) ?? []) if (!seen.has(dep)) closure(dep, seen.add(dep))
    return seen
  }
  return new Map([...direct.keys()].map((name) => [name, closure(name)]))
}

const moduleDependsOn = moduleDependencies()

const undeclaredModulePolicies = [...moduleDependsOn].flatMap(([name, deps]) => {
  const others = [...moduleDependsOn.keys()].filter((m) => m !== name && !deps.has(m))
  return others.length === 0 ? [] : [{
    from: { element: { type: 'module', captured: { name } } },
    disallow: { to: { element: { type: 'module', captured: { name: others } } } },
    message: `modules/${name} imports a module it does not depend on: it may import only ${[...deps].join(', ') || 'core'} (dependsOn in its index.ts, and theirs)`
  }]
})

const boundaryPolicies = [
  {
    from: { element: { type: 'core' } },
    disallow: { to: { element: { type: ['module', 'addon'] } } },
    message: 'core imports a module or an add-on: features plug into core through core/features/features.ts, and only core/features/modules.ts lists the modules'
  },
  {
    from: { file: { categories: 'composition-root' } },
    allow: { to: { element: { type: 'module', fileInternalPath: 'index.ts' } } }
  },
  {
    from: { element: { type: ['module', 'addon'] } },
    disallow: { to: { element: { type: 'module', captured: { name: '!{{from.captured.name}}' }, fileInternalPath: '!index.ts' } } },
    message: "imports another module's inner file: use what that module's index.ts exports"
  },
  ...undeclaredModulePolicies,
  {
    from: { element: { type: ['core', 'module', 'addon', 'migrations'] } },
    disallow: { to: { element: { type: 'addon', captured: { name: '!{{from.captured.name}}' } } } },
    message: 'imports an add-on: add-ons are enabled by PORTAL_ADDONS and loaded by name, never imported (tests excepted)'
  },
  {
    from: { file: { categories: ['route', 'widget', 'panel'] } },
    disallow: { to: { file: { categories: 'repository' } } },
    message: "a route, widget, panel or API route imports a repository: call a service that the module's index.ts registers"
  }
]

const sqlSyntax = [
  ...['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'mergeInto', 'selectNoFrom'].map((method) => ({
    selector: `CallExpression[callee.property.name='${method}']`,
    message: `SQL (${method}) outside a repository or migration: move the query into a *.repository.ts`
  })),
  { selector: "TaggedTemplateExpression[tag.name='sql']", message: 'SQL (sql``) outside a repository or migration: move the query into a *.repository.ts' },
  { selector: "CallExpression[callee.object.name='sql']", message: 'SQL (sql.*) outside a repository or migration: move the query into a *.repository.ts' }
]

const transactionSyntax = ['transaction', 'startTransaction'].map((method) => ({
  selector: `CallExpression[callee.property.name='${method}']`,
  message: `a route, widget or panel opens a transaction (${method}): the service it calls does`
}))

const routeWidgetPanelFiles = ['**/*.routes.ts', '**/*.api.ts', '**/*.widgets.ts', '**/*.panels.ts']
const featureFiles = ['core/**/*.ts', 'modules/**/*.ts', 'plugins/**/*.ts', 'test/fixtures/addons/**/*.ts']

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tap/', 'coverage/', '.tmp/', 'test/fixtures/boundaries/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }]
    }
  },
  { files: ['migrations/**/*.ts', 'plugins/*/migrations/**/*.ts', 'test/fixtures/**/migrations/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['views/static/**/*.js'], languageOptions: { globals: globals.browser } },
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'addon', pattern: ['plugins/*', 'test/fixtures/addons/*'], capture: ['name'], partialMatch: false },
        { type: 'module', pattern: 'modules/*', capture: ['name'], partialMatch: false },
        { type: 'core', pattern: 'core', partialMatch: false },
        { type: 'migrations', pattern: 'migrations', partialMatch: false }
      ],
      'boundaries/files': [
        { category: 'composition-root', pattern: 'core/features/modules.ts' },
        { category: 'route', pattern: ['**/*.routes.ts', '**/*.api.ts'] },
        { category: 'widget', pattern: '**/*.widgets.ts' },
        { category: 'panel', pattern: '**/*.panels.ts' },
        { category: 'repository', pattern: '**/*.repository.ts' }
      ],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import']
    },
    rules: { 'boundaries/dependencies': ['error', { default: 'allow', checkInternals: true, policies: boundaryPolicies }] }
  },
  {
    // The database layer, the page loader (it sends the queries repositories build, one round trip
    // for a page) and the health probe's `select 1` are SQL's own places in core.
    files: featureFiles,
    ignores: ['**/*.repository.ts', '**/migrations/**', 'core/data/*.ts', 'core/web/page-loader.ts', 'core/web/health.ts', ...routeWidgetPanelFiles],
    rules: { 'no-restricted-syntax': ['error', ...sqlSyntax] }
  },
  { files: routeWidgetPanelFiles, rules: { 'no-restricted-syntax': ['error', ...sqlSyntax, ...transactionSyntax] } }
)
