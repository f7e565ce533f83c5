import type { FastifyInstance } from 'fastify'
import type { Cradle } from '../container.ts'
import type { Actor } from '../data/audit/audit.service.ts'
import { viewerOf, type PartnerViewer } from '../identity/access.ts'
import { countUsers, findUserByEmail } from '../identity/users/users.repository.ts'
import type { DemoAccount } from './features.ts'

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

/** The demo person with this e-mail as an actor (for decisions staff make in the demo data). */
export async function demoActor(cradle: Cradle, email: string): Promise<Actor & { id: string }> {
  const user = await findUserByEmail(cradle.db, email)
  if (!user) throw new Error(`The demo data has no ${email}`)
  return { id: user.id, name: user.name }
}

/** The demo partner employee with this e-mail as a signed-in viewer, or null if they are not a partner's. */
export async function demoViewer(cradle: Cradle, email: string): Promise<PartnerViewer | null> {
  const user = await findUserByEmail(cradle.db, email)
  if (!user?.partner_id) return null
  return viewerOf(user, cradle.channelAreas) as PartnerViewer
}
