import t from 'tap'
import { ByText } from '../../core/lib/by-text.ts'

t.test('a value is worked out once per text, the least recently used go first past the capacity, and a very long text is not kept', async (t) => {
  let made = 0
  const kept = new ByText<string>(1000)
  const upper = (text: string) => kept.get(text, () => {
    made++
    return text.toUpperCase()
  })
  const text = (i: number) => String(i).padStart(10, 'x')
  t.equal(upper(text(0)), text(0).toUpperCase())
  upper(text(0))
  t.equal(made, 1, 'the same text is worked out once')
  for (let i = 1; i < 100; i++) upper(text(i))
  upper(text(0))
  t.equal(made, 100, 'a hundred texts of ten characters fill the capacity: all are still kept')
  upper(text(100))
  upper(text(0))
  t.equal(made, 101, 'the text used last of all is still kept')
  upper(text(1))
  t.equal(made, 102, 'the least recently used went when a new one passed the capacity')
  upper('y'.repeat(11))
  upper('y'.repeat(11))
  t.equal(made, 104, 'a text over a hundredth of the capacity is worked out each time')
})
