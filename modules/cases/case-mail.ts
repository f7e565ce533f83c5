import type { Mail } from '../../core/background/mail/mailer.ts'
import { plainText } from '../../core/web/markdown.ts'
import { caseNumber } from './case-rules.ts'

type MailCase = { id: string; number: number; subject: string }
const labels: Record<string, string> = { new: 'New', open: 'Open', waiting: 'Waiting on you', resolved: 'Resolved', closed: 'Closed', cancelled: 'Cancelled' }

/** E-mails to the partner person who opened a case; they carry only public text and link straight to the case. */
export const caseMail = {
  /** A staff reply; `status` when the reply also left the case waiting on the partner or resolved. */
  reply(to: string, c: MailCase, from: string, body: string, link: string, status?: string): Mail {
    const now = status ? `\nThe case is now: ${labels[status] ?? status}.\n` : ''
    return {
      to, subject: `${caseNumber(c)}: new reply — ${c.subject}`,
      body: `${from} replied to your case ${caseNumber(c)} “${c.subject}”:\n\n${plainText(body)}\n${now}\nRead the case and answer: ${link}\n`
    }
  },
  /** To a member of staff: a new case was given to them by the assignment rule. */
  assigned(to: string, c: MailCase, link: string): Mail {
    return { to, subject: `${caseNumber(c)} is yours — ${c.subject}`, body: `The new case ${caseNumber(c)} “${c.subject}” was assigned to you.\n\nOpen the case: ${link}\n` }
  },
  /** To the assignee: a case's target is near or has passed. */
  target(to: string, c: MailCase, state: 'at-risk' | 'breached', what: string, due: Date, link: string): Mail {
    const when = due.toISOString().slice(0, 16).replace('T', ' ')
    return state === 'breached'
      ? { to, subject: `${caseNumber(c)} missed its ${what} target — ${c.subject}`, body: `The ${what} target of ${caseNumber(c)} “${c.subject}” passed at ${when} UTC.\n\nOpen the case: ${link}\n` }
      : { to, subject: `${caseNumber(c)} is at risk — ${c.subject}`, body: `Less than a quarter of the ${what} target of ${caseNumber(c)} “${c.subject}” is left: it is due at ${when} UTC.\n\nOpen the case: ${link}\n` }
  },
  status(to: string, c: MailCase, status: string, link: string): Mail {
    const waiting = status === 'waiting' ? '\nWe need something from you to go on: please answer on the case.\n' : ''
    const resolved = status === 'resolved' ? '\nIf this did not answer your question, you can reopen the case within 14 days.\n' : ''
    return {
      to, subject: `${caseNumber(c)}: ${labels[status] ?? status} — ${c.subject}`,
      body: `Your case ${caseNumber(c)} “${c.subject}” is now: ${labels[status] ?? status}.\n${waiting}${resolved}\nOpen the case: ${link}\n`
    }
  }
}
