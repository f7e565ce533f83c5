import type { FastifyInstance } from 'fastify'
import type { DemoAccount } from './features.ts'
import { countUsers } from '../identity/users/users.repository.ts'

/** On an empty database, each feature adds its demo data, in dependency order. */
export async function seedDemo(app: FastifyInstance): Promise<DemoAccount[] | undefined> {
  const cradle = app.diContainer.cradle
  if (await countUsers(cradle.db) > 0) return undefined
  const accounts: DemoAccount[] = []
  for (const feature of cradle.features) {
    if (feature.seed) accounts.push(...await feature.seed(cradle))
  }
  return accounts
}
