import pg from 'pg'
import { buildApp } from '../core/app.ts'
import { loadConfig } from '../core/config.ts'
import type { RouteEntry } from '../core/identity/auth/session.ts'
import { benchPartner } from './bench-partner.ts'
import { searchTerms } from './seed-knowledge.ts'
import { benchThread } from './seed-forums.ts'

/** Who loads a page: the bench partner's admin (session or API key) or a staff admin. */
export type Caller = 'partner' | 'api' | 'staff'

export interface BenchPage {
  /** The route pattern, which names the page in the report. */
  name: string
  path: string
  caller: Caller
  /** A report behind the heavy-route gate: loaded with as many connections as the gate lets in. */
  heavy: boolean
}

export const reference: BenchPage = { name: 'reference', path: '/portal/company', caller: 'partner', heavy: false }

/** Pages whose work is in their query string (a search, a thread's last page), each measured with these queries instead of bare. */
const queries: Record<string, string[]> = {
  '/portal/knowledge/search': [`q=${searchTerms.common}`, `q=${searchTerms.rare}`],
  // The staff queue bare and as staff filter it most: one status and priority, and their own cases (issue 14).
  '/admin/cases': ['', 'status=open&priority=high', 'assignee=me'],
  '/portal/forums/t/:id': ['last'],
  '/admin/forums/t/:id': ['last']
}

/** Who loads a route of each access: the partner admin also takes the pages every signed-in person (or applicant) reaches, the dashboard among them. */
const callerOf: Partial<Record<RouteEntry['access'], Caller>> = {
  applicant: 'partner', 'signed-in': 'partner', partner: 'partner', 'partner-admin': 'partner', staff: 'staff', 'staff-admin': 'staff'
}

/** Every GET route of the app as it is built now: new pages join the sweep by themselves. */
async function catalog(databaseUrl: string): Promise<RouteEntry[]> {
  const app = await buildApp(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', JOBS: 'false', SESSION_SECRET: 'x'.repeat(32) }))
  try {
    return app.routeCatalog.filter((r) => r.method === 'GET')
  } finally {
    await app.close()
  }
}

/**
 * Ids to put in a route's parameters, from the generated data: one row of each table the bench
 * partner owns rows in (or any row of a table without partner_id), with the ids it refers to, so a
 * nested address (an account and one of its contacts) can be filled from one row.
 */
async function idGroups(databaseUrl: string): Promise<string[][]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows: [partner] } = await client.query<{ id: string }>(
      'select partner_id::text as id from users where email = $1', [benchPartner.email])
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and (column_name in ('id', 'slug') or column_name like '%\\_id') and data_type in ('uuid', 'text', 'bigint', 'integer')
      order by table_name, ordinal_position`)
    const byTable = new Map<string, string[]>()
    for (const c of columns) byTable.set(c.table_name, [...byTable.get(c.table_name) ?? [], c.column_name])
    // The bench thread and its forum first: the thread pages are measured on its 2,000 replies, the forum's on its threads.
    const { rows: bench } = await client.query<{ id: string; forum_id: string }>(
      'select id::text, forum_id::text from forum_threads where title = $1', [benchThread.title])
    const groups: string[][] = [...bench.map((t) => [t.id, t.forum_id]), [partner!.id]]
    for (const [table, names] of byTable) {
      if (!names.includes('id')) continue
      const where = names.includes('partner_id') ? 'where partner_id = $1' : table === 'partners' ? 'where id = $1' : ''
      const list = names.map((n) => `${client.escapeIdentifier(n)}::text`).join(', ')
      const { rows } = await client.query<Record<string, string | null>>(
        `select ${list} from ${client.escapeIdentifier(table)} ${where} limit 2`, where ? [partner!.id] : [])
      for (const row of rows) groups.push([row.id!, ...names.filter((n) => n !== 'id').map((n) => row[n]).filter((v): v is string => v !== null)])
    }
    return groups
  } finally {
    await client.end()
  }
}

/** Addresses to try for a pattern: each id alone, or for two parameters an ordered pair from one row. */
function* fillings(pattern: string, groups: string[][]): Generator<string> {
  const params = pattern.match(/:[A-Za-z_]+/g) ?? []
  if (params.length === 0) yield pattern
  const fill = (ids: string[]) => params.reduce((url, param, i) => url.replace(param, ids[i]!), pattern)
  const seen = new Set<string>()
  for (const group of groups) {
    if (params.length === 1) {
      for (const id of group) {
        if (seen.has(id)) continue
        seen.add(id)
        yield fill([id])
      }
    } else if (params.length === 2) {
      for (const a of group) for (const b of group) if (a !== b) yield fill([a, b])
    }
  }
}

export type Credentials = Record<Caller, Record<string, string>>

export interface Discovered {
  pages: BenchPage[]
  /** Routes no id from the data made answer 200, so the sweep left them out. */
  missed: string[]
}

/** The pages a partner admin and a staff admin reach, each with a concrete address that answers 200. */
export async function discoverPages(origin: string, databaseUrl: string, credentials: Credentials, only?: RegExp): Promise<Discovered> {
  const groups = await idGroups(databaseUrl)
  const pages: BenchPage[] = []
  const missed: string[] = []
  for (const route of await catalog(databaseUrl)) {
    const caller = route.url.startsWith('/api/') ? 'api' : callerOf[route.access]
    // CSV exports are downloads of a whole list, not pages: at 1,000,000 rows one takes minutes by design.
    if (!caller || route.url === reference.path || route.url.startsWith('/api/docs') || route.url.endsWith('openapi.json') || route.url.endsWith('.csv')) continue
    if (only && !only.test(route.url)) continue
    for (const query of queries[route.url] ?? ['']) {
      const name = query ? `${route.url}?${query}` : route.url
      let found: string | undefined
      for (const filled of fillings(route.url, groups)) {
        const path = query ? `${filled}?${query}` : filled
        const response = await fetch(origin + path, { headers: credentials[caller], redirect: 'manual' })
        await response.arrayBuffer()
        if (response.status === 200) {
          found = path
          break
        }
      }
      if (found) pages.push({ name, path: found, caller, heavy: route.heavy })
      else missed.push(name)
    }
  }
  return { pages, missed }
}
