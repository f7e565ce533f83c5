import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { parseJsonArray } from '../../core/data/json-array.ts'

t.test('a json[] as PostgreSQL writes it reads as its values, whatever the elements hold', async (t) => {
  const database = await openDatabase({ DATA_DIR: 'memory://' })
  t.teardown(() => database.close())
  const asText = async (array: ReturnType<typeof sql>) => (await sql<{ a: string }>`select (${array})::text as a`.execute(database.db)).rows[0]!.a

  const rows = await asText(sql`array(select row_to_json(x) from (values
    (1, ${'a "quoted" \\ back\\slash'}, ${'line\nbreak\ttab'}, ${'é ü 漢 😀'}, null::text, '{"k": [1, 2]}'::json),
    (2, '{curly},comma', '', 'NULL', 'null', 'null'::json)
  ) x(n, quote, control, unicode, missing, kept))`)
  t.same(parseJsonArray(rows), [
    { n: 1, quote: 'a "quoted" \\ back\\slash', control: 'line\nbreak\ttab', unicode: 'é ü 漢 😀', missing: null, kept: { k: [1, 2] } },
    { n: 2, quote: '{curly},comma', control: '', unicode: 'NULL', missing: 'null', kept: null }
  ], 'rows with quotes, backslashes, control characters, braces and the word NULL')

  t.same(parseJsonArray(await asText(sql`array[]::json[]`)), [], 'none')
  t.same(parseJsonArray(await asText(sql`array['5'::json, 'true'::json, '"x"'::json, null]`)), [5, true, 'x', null], 'bare and NULL elements')
  t.same(parseJsonArray(await asText(sql`array[${'{"a":\n 1,\t"b": "c"}'}::json]`)), [{ a: 1, b: 'c' }], 'a json value kept as typed, with raw line breaks')
  t.same(parseJsonArray(await asText(sql`array[array['1'::json, '2'::json], array['3'::json, '4'::json]]`)), [[1, 2], [3, 4]], 'two dimensions')
})
