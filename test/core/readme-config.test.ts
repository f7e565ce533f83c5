import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { pluginsDir } from '../../core/app.ts'
import { configDescriptions } from '../../core/config.ts'
import { loadFeatures } from '../../core/features/features.ts'

const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8')

/** The README's configuration table as the schema generates it: core's variables, then each shipped add-on's. */
async function expectedRows(): Promise<string[]> {
  const shipped = existsSync(pluginsDir) ? readdirSync(pluginsDir).filter((name) => existsSync(path.join(pluginsDir, name, 'index.ts'))) : []
  const addons = await loadFeatures([], shipped, [pluginsDir])
  const shown = (value: unknown) => (value === undefined ? '—' : value === '' ? '(empty)' : `\`${String(value)}\``)
  return configDescriptions(addons).map((v) =>
    `| \`${v.name}\` | ${shown(v.default)} | ${v.feature ? `Add-on ${v.feature}: ` : ''}${v.description} |`)
}

t.test('the README’s configuration table is the one the config schema generates', async (t) => {
  const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1))
  const rows = section.split('\n').filter((line) => line.startsWith('| `'))
  const expected = await expectedRows()
  if (!t.same(rows, expected, 'README.md, ## Configuration')) {
    t.comment(`The table as it should read:\n| variable | default | meaning |\n| --- | --- | --- |\n${expected.join('\n')}`)
  }
})
