import t from 'tap'
import Fastify from 'fastify'
import Type from 'typebox'
import { Ajv } from 'ajv'
import { checkJsonText, sendJsonText } from '../../core/api/json-text.ts'

t.test('JSON text is sent as it is, and where responses are checked it is held to the route’s schema', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onSend', checkJsonText(new Ajv()))
  const schema = { response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer() })) }) } }
  app.get('/good', { schema }, async (_request, reply) => sendJsonText(reply, '{"items":[{"id":1},{"id":2}]}'))
  app.get('/bad', { schema }, async (_request, reply) => sendJsonText(reply, '{"items":[{"id":"one"}]}'))
  const good = await app.inject('/good')
  t.equal(good.statusCode, 200)
  t.equal(good.body, '{"items":[{"id":1},{"id":2}]}')
  t.match(good.headers['content-type'], /^application\/json/)
  const bad = await app.inject('/bad')
  t.equal(bad.statusCode, 500, 'text its schema refuses is an error, not sent')
  t.notMatch(bad.body, /"one"/)
})
