import pino from 'pino'
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { buildTestApp } from '../helper.ts'

t.test('request logs carry the path, never the query with what was searched or typed', async (t) => {
  const { app } = await buildTestApp(t)
  let seen: FastifyRequest | undefined
  app.addHook('onRequest', async (request) => { seen ??= request })
  await app.inject({ url: '/signin?q=ada.lovelace@example.com&name=Ada' })
  const serializers = (app.log as unknown as Record<symbol, Record<string, (value: unknown) => unknown>>)[pino.symbols.serializersSym]!
  const logged = JSON.stringify(serializers.req!(seen))
  t.match(logged, /"url":"\/signin\?…"/, 'the path, and that a query was there')
  t.notMatch(logged, /ada|lovelace|example\.com/i, 'nothing of the query')
  t.match(logged, /"method":"GET"/)
})
