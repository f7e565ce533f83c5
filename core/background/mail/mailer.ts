import nodemailer, { type Transporter } from 'nodemailer'
import type { Config } from '../../config.ts'
import type { DbOrTrx } from '../../data/database.ts'
import type { JobRunner } from '../jobs/job-runner.ts'
import { findMail, insertMail, setMailStatus } from './mail.repository.ts'

export interface Mail {
  to: string
  subject: string
  body: string
}

/**
 * Mail goes into the outbox in the transaction of the change that caused it; the job runner
 * delivers it over SMTP when SMTP_URL is set, and otherwise keeps it in the outbox for staff
 * admins to read (so invitation links work on a laptop).
 */
export class Mailer {
  private readonly transport: Transporter | undefined

  constructor(private readonly deps: { config: Config; jobs: JobRunner; transport?: Transporter }) {
    this.transport = deps.transport ?? (deps.config.SMTP_URL ? nodemailer.createTransport(deps.config.SMTP_URL) : undefined)
    deps.jobs.register('mail.deliver', (payload, trx) => this.deliver(trx, String(payload.mailId)))
  }

  async send(trx: DbOrTrx, mail: Mail): Promise<string> {
    const mailId = await insertMail(trx, mail)
    await this.deps.jobs.enqueue(trx, 'mail.deliver', { mailId })
    return mailId
  }

  /** A link in an e-mail: always absolute, from PUBLIC_URL. */
  link(path: string): string {
    return new URL(path, this.deps.config.PUBLIC_URL).toString()
  }

  private async deliver(trx: DbOrTrx, mailId: string): Promise<void> {
    const mail = await findMail(trx, mailId)
    if (!mail || mail.status !== 'queued') return
    if (!this.transport) {
      await setMailStatus(trx, mailId, 'kept')
      return
    }
    await this.transport.sendMail({ from: this.deps.config.MAIL_FROM, to: mail.to_address, subject: mail.subject, text: mail.body })
    await setMailStatus(trx, mailId, 'sent')
  }
}
