import { Readable } from 'node:stream'
import type { FastifyPluginAsync } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { csvLines, csvStream, sendCsv } from '../../core/web/csv-download.ts'
import { caseNumber } from './case-rules.ts'
import { queueFromQuery } from './queue.ts'

const exportPage = 1000
/** Every partner and assignee in the figures export, not only the busiest the page shows. */
const allRows = 100_000
const queueColumns = ['number', 'subject', 'partner', 'status', 'priority', 'type', 'assignee', 'customer', 'deal', 'deal_stage', 'raised',
  'opened_at', 'last_activity_at', 'first_response_at', 'first_response_due_at', 'resolution_due_at', 'at_risk_at', 'missed_at'] as const
const figureColumns = ['section', 'label', 'status', 'priority', 'cases', 'first_response_median_hours', 'first_response_p90_hours',
  'resolution_median_hours', 'resolution_p90_hours', 'missed_targets', 'average_rating', 'rated'] as const

const iso = (at: Date | null) => at?.toISOString() ?? ''
const rounded = (value: number | string | null) => (value === null ? '' : String(Math.round(Number(value) * 100) / 100))

/**
 * The staff's CSV downloads: the queue as its filters and order stand (every page, in its keyset
 * order), and the figures. They hold what the queue and the figures page show, never a reply or an
 * internal note; every cell that a spreadsheet would run as a formula is kept as text.
 */
const casesExportRoutes: FastifyPluginAsync = async (app) => {
  const { caseDesk } = app.diContainer.cradle
  const config = { access: 'staff' as const, heavy: true }

  app.get<{ Querystring: Record<string, unknown> }>('/admin/cases/export.csv', { config }, async (request, reply) => {
    const { filter, sort } = queueFromQuery(request.query, signedIn(request).id)
    return sendCsv(reply, 'cases', csvStream(queueColumns, (cursor) => caseDesk.queueRows(filter, sort, cursor, exportPage), (c) => ({
      number: caseNumber(c), subject: c.subject, partner: c.partner_name ?? '', status: c.status, priority: c.priority, type: c.type,
      assignee: c.assignee_name ?? '', customer: c.account_name ?? '', deal: c.opportunity_name ?? '', deal_stage: c.deal_stage ?? '',
      raised: c.deal_raised ? 'yes' : 'no', opened_at: iso(c.created_at), last_activity_at: iso(c.updated_at), first_response_at: iso(c.first_response_at),
      first_response_due_at: iso(c.first_response_due_at), resolution_due_at: iso(c.resolution_due_at), at_risk_at: iso(c.at_risk_at), missed_at: iso(c.breached_at)
    })))
  })

  app.get<{ Querystring: { days?: string } }>('/admin/cases/figures.csv', { config }, async (request, reply) => {
    const days = ['30', '90', '365'].includes(String(request.query.days)) ? Number(request.query.days) : 90
    const figures = await caseDesk.figures(days, allRows)
    type Outcome = typeof figures.overall
    const outcome = (section: string, r: Outcome) => ({
      section, label: r.label, cases: r.cases, first_response_median_hours: rounded(r.first_median), first_response_p90_hours: rounded(r.first_p90),
      resolution_median_hours: rounded(r.resolution_median), resolution_p90_hours: rounded(r.resolution_p90), missed_targets: r.breaches,
      average_rating: rounded(r.rating), rated: r.rated
    })
    const rows = [
      ...figures.open.map((r) => ({ section: 'open now', label: 'Open cases', status: r.status, priority: r.priority, cases: r.n })),
      outcome(`opened in the last ${days} days`, figures.overall),
      ...figures.partners.map((r) => outcome('per partner', r)),
      ...figures.assignees.map((r) => outcome('per assignee', r))
    ]
    return sendCsv(reply, `case-figures-${days}-days`, Readable.from([csvLines(rows, figureColumns, true)]))
  })
}

export default casesExportRoutes
