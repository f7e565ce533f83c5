import { sql } from 'kysely'
import { hashPassword } from '../core/identity/auth/passwords.ts'
import type { Db } from '../core/data/database.ts'
import { benchPartner } from './bench-partner.ts'
import { openMigrated, recreateDatabase } from './database.ts'
import { seedCases } from './seed-cases.ts'
import { seedCustomers } from './seed-customers.ts'
import { seedForums } from './seed-forums.ts'
import { seedKnowledge } from './seed-knowledge.ts'
import { seedCollaborators, seedEvents, seedOffers } from './seed-history.ts'
import { seedOpportunities } from './seed-opportunities.ts'
import { seedPartners } from './seed-partners.ts'

const say = (line: string) => process.stdout.write(`${line}\n`)

async function step(label: string, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now()
  await work()
  say(`  ${label.padEnd(28)} ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

/** 10,000 articles beside 10,000 opportunities, 100,000 beside 1,000,000. */
export const knowledgeArticles = (opportunities: number) => Math.max(10_000, Math.round(opportunities / 10))

/** As many forum posts as opportunities: 10,000 beside 10,000, 1,000,000 beside 1,000,000 (in a tenth as many threads). */
export const forumPosts = (opportunities: number) => Math.max(10_000, opportunities)

/**
 * Fills the bench database from empty with `total` opportunities, as many support cases and forum
 * posts; the bench partner holds 1,000 opportunities and 1,000 cases.
 */
export async function generate(url: string, total: number): Promise<void> {
  const minimum = benchPartner.opportunities + benchPartner.pendingOffers + 1000
  if (!Number.isInteger(total) || total < minimum) throw new Error(`--opportunities must be a whole number of at least ${minimum}`)
  say(`Generating ${total.toLocaleString('en')} opportunities in ${new URL(url).pathname.slice(1)}`)
  await recreateDatabase(url)
  const handle = await openMigrated(url)
  try {
    const passwordHash = await hashPassword(benchPartner.password)
    // Temporary tables and the random seed belong to one session.
    await handle.db.connection().execute(async (conn: Db) => {
      // Every reference is generated consistent, and checking 5 million of them one by one would
      // take longer than the load itself: foreign-key triggers are off for this session only.
      await sql`set session_replication_role = replica`.execute(conn)
      await sql`set synchronous_commit = off`.execute(conn)
      await sql`set work_mem = '128MB'`.execute(conn)
      await step('partners and users', () => seedPartners(conn, passwordHash))
      await step('customers and contacts', () => seedCustomers(conn))
      await step('opportunities', () => seedOpportunities(conn, total))
      await step('offers', () => seedOffers(conn))
      await step('timeline events', () => seedEvents(conn))
      await step('collaborators', () => seedCollaborators(conn))
      // The bulk insert ran with triggers off, the ones keeping the dashboard figures included.
      await step('knowledge articles', () => seedKnowledge(conn, knowledgeArticles(total)))
      await step('forum posts', () => seedForums(conn, forumPosts(total)))
      await step('support cases', () => seedCases(conn, total))
      await step('dashboard figures', () => sql`select opportunity_figures_rebuild()`.execute(conn))
      await step('revenue won per year', () => sql`select opportunity_won_years_rebuild()`.execute(conn))
      await step('customer duplicate keys', () => sql`select customer_match_keys_rebuild()`.execute(conn))
      await step('case counts', () => sql`select case_status_counts_rebuild()`.execute(conn))
      await step('partner places', () => sql`select partner_places_rebuild()`.execute(conn))
    })
    await step('vacuum analyze', () => sql`vacuum analyze`.execute(handle.db))
  } finally {
    await handle.close()
  }
}
