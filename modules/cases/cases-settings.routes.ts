import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { assignmentModes, priorities } from './cases.table.ts'
import { levelField, parseTargetsForm, targetsFormValues, weekdays } from './targets-form.ts'

type State = { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string }
const config = { access: 'staff-admin' as const }

/** The staff admins' settings of cases: service targets with their calendar, and the rule that assigns new cases. */
const casesSettingsRoutes: FastifyPluginAsync = async (app) => {
  const { caseTargets, caseAssignment, caseDesk, partners } = app.diContainer.cradle

  const targetsPage = async (reply: FastifyReply, state: { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string } = {}, status = 200) => {
    const [values, levels] = await Promise.all([state.values ?? caseTargets.settings().then(targetsFormValues), partners.levels()])
    return reply.page('cases/admin-targets', { values, levels, levelField, errors: state.errors ?? {}, message: state.message, priorities, weekdays }, { title: 'Case targets', status })
  }

  app.get('/admin/cases/targets', { config }, async (_request, reply) => targetsPage(reply))

  app.post<{ Body: Record<string, unknown> }>('/admin/cases/targets', { config }, async (request, reply) => {
    try {
      await caseTargets.save(signedIn(request), parseTargetsForm(request.body ?? {}, await partners.levels()))
      return reply.flash('Targets saved. New cases and changes from now on use them.').seeOther('/admin/cases/targets')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return targetsPage(reply, { values: { ...request.body, days: [request.body?.days ?? []].flat() }, errors: err.fields, message: err.message }, 422)
    }
  })

  const assignmentPage = async (reply: FastifyReply, state: State = {}, status = 200) => {
    const [rule, staff] = await Promise.all([caseAssignment.rule(), caseDesk.staff()])
    const values = state.values ?? { mode: rule.mode, team: rule.team, raise_last_stage: rule.raise_last_stage }
    return reply.page('cases/admin-assignment', { values, staff, modes: assignmentModes, errors: state.errors ?? {}, message: state.message }, { title: 'Case assignment', status })
  }

  app.get('/admin/cases/assignment', { config }, async (_request, reply) => assignmentPage(reply))

  app.post<{ Body: Record<string, unknown> }>('/admin/cases/assignment', { config }, async (request, reply) => {
    try {
      await caseAssignment.save(signedIn(request), { mode: request.body?.mode, team: request.body?.team, raise: request.body?.raise_last_stage })
      return reply.flash('Assignment rule saved. It applies to cases opened from now on.').seeOther('/admin/cases/assignment')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return assignmentPage(reply, { values: { mode: request.body?.mode, team: [request.body?.team ?? []].flat(), raise_last_stage: Boolean(request.body?.raise_last_stage) }, errors: err.fields, message: err.message }, 422)
    }
  })
}

export default casesSettingsRoutes
