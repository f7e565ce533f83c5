import t from 'tap'
import { countries } from '../../core/lib/countries.ts'
import { helpers } from '../../core/web/view-helpers.ts'

t.test('dates read as Intl writes them in British English, in UTC', async (t) => {
  const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' })
  for (let i = 0; i < 400; i++) {
    const at = new Date(Date.UTC(2019, 0, 1) + i * 86_400_000 * 7.3 + i * 997_000)
    t.equal(helpers.date(at), date.format(at), `date of ${at.toISOString()}`)
    t.equal(helpers.dateTime(at.toISOString()), `${date.format(at)}, ${time.format(at)} UTC`, `date and time of ${at.toISOString()}`)
  }
  t.equal(helpers.date('2026-09-03T23:59:00Z'), '3 Sept 2026', 'the day in UTC, whatever the server’s time zone')
  t.equal(helpers.dateTime(new Date(Date.UTC(2026, 0, 5, 7, 4))), '5 Jan 2026, 07:04 UTC')
  t.equal(helpers.date(null), '—')
  t.equal(helpers.dateTime(undefined), '—')
})

t.test('iso times read as toISOString writes them, whatever the year; labels of names', async (t) => {
  for (let i = 0; i < 400; i++) {
    const at = new Date(Date.UTC(1969, 11, 31) + i * 86_400_000 * 9.1 + i * 1_234_567 + (i % 1000))
    t.equal(helpers.iso(at), at.toISOString(), `iso of ${at.getTime()}`)
  }
  for (const at of ['0999-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '-000001-06-01T12:00:00.000Z']) t.equal(helpers.iso(new Date(at)), at, `the year of ${at}`)
  t.equal(helpers.iso('2026-12-08T00:39:30.380688+00:00'), '2026-12-08T00:39:30.380Z', 'a time as PostgreSQL writes it in JSON')
  t.equal(helpers.iso(null), '')
  t.throws(() => helpers.iso(new Date('no time')), RangeError, 'no valid time, as toISOString')
  t.equal(helpers.label('deal_support'), 'Deal support')
  t.equal(helpers.label('deal_support'), 'Deal support', 'the same label again')
  t.equal(helpers.label('at-risk'), 'At risk')
})

t.test('query strings read as URLSearchParams writes them, empty values left out', async (t) => {
  const values = ['open', 'a b', 'x&y=z', 'CASE-1042', 'ünï', '*-._~!\'()', 'eyJrZXlzIjoiMXwy_-', '100%', '\ud800', 'a+b', 'line\nbreak']
  for (const value of values) {
    t.equal(helpers.query('/admin/cases', { status: value, q: '' }, { sort: 'newest' }), `/admin/cases?${new URLSearchParams({ status: value, sort: 'newest' })}`, value)
  }
  t.equal(helpers.query('/admin/cases', { status: '', q: null, n: 0 }), '/admin/cases?n=0')
  t.equal(helpers.query('/admin/cases', { status: '' }), '/admin/cases')
})

t.test('country options: every country once, the chosen ones selected, names escaped, or only the countries given', async (t) => {
  const all = helpers.countryOptions('')
  t.equal(all.match(/<option /g)?.length, countries.length, 'one option a country')
  t.notMatch(all, /selected/, 'nothing chosen, nothing selected')
  t.match(helpers.countryOptions('DE'), '<option value="DE" selected>Germany')
  const two = helpers.countryOptions(['FR', 'AT', '<x>'])
  t.equal(two.match(/selected/g)?.length, 2, 'several chosen (a multiple select), what is no country ignored')
  t.match(all, '<option value="BA">Bosnia &amp; Herzegovina', 'names are escaped')
  t.equal(helpers.countryOptions('JP', [{ code: 'FR', name: 'France' }, { code: 'JP', name: 'Japan' }]),
    '<option value="FR">France<option value="JP" selected>Japan', 'a subset, in its own order')
})
