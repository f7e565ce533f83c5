import t from 'tap'
import { domainOf } from '../../core/lib/domains.ts'

t.test('a website gives its domain, without www and in lower case', async (t) => {
  t.equal(domainOf('https://www.Example.com/about'), 'example.com')
  t.equal(domainOf('http://shop.example.co.uk'), 'shop.example.co.uk')
})

t.test('what is not a web address gives no domain', async (t) => {
  t.equal(domainOf('example.com'), null)
  t.equal(domainOf(''), null)
})
