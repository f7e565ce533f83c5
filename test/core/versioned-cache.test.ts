import t from 'tap'
import { VersionedCache } from '../../core/lib/versioned-cache.ts'

t.test('a kept value is used only under its version; the least recently used go first', async (t) => {
  const cache = new VersionedCache<string>(2)
  cache.set('a', '1', 'A')
  t.equal(cache.get('a', '1'), 'A')
  t.equal(cache.get('a', '2'), undefined, 'the version moved on: not used')
  t.equal(cache.get('a', '1'), undefined, 'and dropped')
  cache.set('a', '1', 'A')
  cache.set('b', '1', 'B')
  t.equal(cache.get('a', '1'), 'A', 'a is now the most recently used')
  cache.set('c', '1', 'C')
  t.equal(cache.get('b', '1'), undefined, 'b, least recently used, made room')
  t.same([cache.get('a', '1'), cache.get('c', '1')], ['A', 'C'])
})
