import type { FastifyPluginAsync } from 'fastify'
import { pageSize } from '../../core/lib/pagination.ts'
import { currencies } from './opportunities.schemas.ts'
import { channelSorts } from './opportunities.table.ts'

interface ChannelQuery { q?: string; sort?: string; currency?: string }

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' =>
  (typeof value === 'string' && allowed.includes(value as T) ? value as T : '')

/** The channel at a glance: each partner's pipeline and track record, and who won the most this year. */
const channelRoutes: FastifyPluginAsync = async (app) => {
  const { channel, pageLoader } = app.diContainer.cradle
  const config = { access: 'staff' as const, heavy: true }
  // A ranking, searched by name for the rest: a list's page of rows keeps it light (issue 18: page weight).
  const limit = pageSize

  app.get<{ Querystring: ChannelQuery }>('/admin/opportunities/channel', { config }, async (request, reply) => {
    const q = request.query
    const filters = {
      q: String(q.q ?? '').trim().slice(0, 100), sort: pick(q.sort, channelSorts) || 'won', currency: pick(q.currency, currencies) || 'USD'
    }
    const load = pageLoader()
    const [rows, top] = await Promise.all([
      channel.figures(load, { currency: filters.currency, search: filters.q || undefined, sort: filters.sort, limit: limit + 1 }),
      channel.topWon(load, filters.currency, 8)
    ])
    return reply.page('opportunities/admin-channel', { rows: rows.slice(0, limit), more: rows.length > limit, filters, currencies, top }, { title: 'Channel' })
  })
}

export default channelRoutes
