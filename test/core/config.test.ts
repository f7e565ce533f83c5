import t from 'tap'
import { ConfigError, configDescriptions, loadConfig } from '../../core/config.ts'

const bad: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['DATABASE_URL', 'mysql://x'],
  ['SESSION_SECRET', 'too-short'],
  ['LOG_LEVEL', 'loud'],
  ['PUBLIC_URL', 'portal.example.com'],
  ['SMTP_URL', 'http://mail.example.com'],
  ['REDIS_URL', 'localhost:6379'],
  ['DATABASE_POOL_SIZE', '0'],
  ['DATABASE_POOL_SIZE', 'many'],
  ['PORTAL_ADDONS', 'Field_Service'],
  ['JOBS', 'yes']
]

for (const [variable, value] of bad) {
  t.test(`${variable}=${value} stops start-up with a message naming ${variable}`, async (t) => {
    let thrown: unknown
    try {
      loadConfig({ [variable]: value })
    } catch (err) {
      thrown = err
    }
    t.type(thrown, ConfigError)
    const error = thrown as ConfigError
    t.equal(error.variable, variable)
    t.match(error.message, variable)
  })
}

t.test('an empty environment gives safe defaults', async (t) => {
  const config = loadConfig({})
  t.equal(config.DATABASE_URL, undefined)
  t.equal(config.DATA_DIR, './data')
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.PORT, 3000)
  t.equal(config.PUBLIC_URL, 'http://localhost:3000')
  t.equal(config.SESSION_SECRET, undefined)
  t.same(config.PORTAL_ADDONS, [])
  t.equal(config.SMTP_URL, undefined)
  t.equal(config.REDIS_URL, undefined)
  t.equal(config.DATABASE_POOL_SIZE, 10)
  t.equal(config.LOG_LEVEL, 'info')
  t.equal(config.JOBS, true)
  t.equal(config.DEMO_DATA, false)
  t.equal(config.TRUST_PROXY, false)
})

t.test('PUBLIC_URL defaults to the address the server listens on', async (t) => {
  t.equal(loadConfig({ PORT: '4100' }).PUBLIC_URL, 'http://localhost:4100')
  t.equal(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).PUBLIC_URL, 'http://localhost:8080')
  t.equal(loadConfig({ HOST: '192.0.2.10', PORT: '80' }).PUBLIC_URL, 'http://192.0.2.10:80')
  t.equal(loadConfig({ HOST: 'fd00::1', PORT: '3000' }).PUBLIC_URL, 'http://[fd00::1]:3000')
  t.equal(loadConfig({ PORT: '4100', PUBLIC_URL: 'https://partners.example.com' }).PUBLIC_URL, 'https://partners.example.com', 'a set one wins')
})

t.test('empty strings count as unset', async (t) => {
  const config = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' })
  t.equal(config.PORT, 3000)
  t.equal(config.DATABASE_URL, undefined)
  t.equal(config.LOG_LEVEL, 'info')
})

t.test('good values are converted to their types', async (t) => {
  const config = loadConfig({
    PORT: '8080', DATABASE_URL: 'postgresql://u@db:5432/portal', SESSION_SECRET: 'x'.repeat(32),
    LOG_LEVEL: 'warn', JOBS: 'false', DEMO_DATA: 'true', TRUST_PROXY: 'true', SMTP_URL: 'smtps://u:p@mail:465'
  })
  t.equal(config.PORT, 8080)
  t.equal(config.DATABASE_URL, 'postgresql://u@db:5432/portal')
  t.equal(config.LOG_LEVEL, 'warn')
  t.equal(config.JOBS, false)
  t.equal(config.DEMO_DATA, true)
  t.equal(config.TRUST_PROXY, true)
})

t.test('PORTAL_ADDONS is a comma list, spaces and empty items ignored', async (t) => {
  t.same(loadConfig({ PORTAL_ADDONS: 'field-service' }).PORTAL_ADDONS, ['field-service'])
  t.same(loadConfig({ PORTAL_ADDONS: ' field-service , project-service,,' }).PORTAL_ADDONS, ['field-service', 'project-service'])
  t.same(loadConfig({ PORTAL_ADDONS: ' , ' }).PORTAL_ADDONS, [])
})

t.test('every variable is described', async (t) => {
  for (const { name, description } of configDescriptions()) t.ok(description.length > 10, `${name} has a description`)
})
