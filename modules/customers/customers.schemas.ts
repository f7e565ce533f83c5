import { checkbox, country as countryField, email, optionalRecordId, recordId, text, Type, url } from '../../core/lib/validation.ts'
import { domainOf } from '../../core/lib/domains.ts'
import type { AccountFields, ContactFields } from './customers.table.ts'


const domain = Object.assign(
  Type.String({ maxLength: 253, pattern: '^$|^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$' }),
  { label: 'Domain', message: 'Domain must be a name like example.com, without http:// or a path.' })

const country = countryField({ label: 'Country', optional: true })

/** The account fields, shared by the form and the CSV import (which names them with a prefix). */
export const accountFields = {
  name: text({ label: 'Name', max: 160 }),
  domain,
  website: url({ label: 'Website', max: 200, optional: true }),
  phone: text({ label: 'Phone', max: 40, optional: true }),
  address: text({ label: 'Street address', max: 200, optional: true }),
  city: text({ label: 'City', max: 100, optional: true }),
  postal_code: text({ label: 'Postal code', max: 20, optional: true }),
  country,
  industry: text({ label: 'Industry', max: 80, optional: true })
}

export const contactFields = {
  first_name: text({ label: 'First name', max: 80 }),
  last_name: text({ label: 'Last name', max: 80 }),
  email: email({ label: 'E-mail', optional: true }),
  phone: text({ label: 'Phone', max: 40, optional: true }),
  job_title: text({ label: 'Job title', max: 120, optional: true })
}

export const AccountForm = Type.Object({
  ...accountFields,
  owner_id: optionalRecordId('Owner', 'Choose an owner from your team.')
})

export const ContactForm = Type.Object({
  ...contactFields,
  account_id: optionalRecordId('Account', 'Choose one of your customer accounts.')
})

export const MoveContactForm = Type.Object({ account_id: recordId('Account', 'Choose one of your customer accounts.') })
export const ContactChoiceForm = Type.Object({ contact_id: recordId('Contact', 'Choose one of your contacts.') })
export const PrimaryContactForm = Type.Object({ primary_contact_id: recordId('Primary contact', 'Choose one of this account’s contacts.') })
export const ReassignForm = Type.Object({ partner_id: recordId('Partner', 'Choose the partner who takes the customer over.') })
export const ImportStartForm = Type.Object({ only_valid: checkbox('Import only the valid rows') })
export const ImportPasteForm = Type.Object({ csv: Type.String({ minLength: 1, maxLength: 2_000_000, label: 'CSV text' }) })

/** The columns of the CSV files, in order: exports write them, imports read them. */
export const accountColumns = ['account_name', 'domain', 'website', 'phone', 'address', 'city', 'postal_code', 'country', 'industry'] as const
export const contactColumns = ['contact_first_name', 'contact_last_name', 'contact_email', 'contact_phone', 'contact_job_title'] as const

const legalForms = /\b(inc|incorporated|ltd|limited|llc|llp|plc|gmbh|ag|sa|sas|sarl|bv|nv|oy|ab|spa|srl|co|corp|corporation|company)\b/g

/** "ACME, Inc." and "Acme" have one key, so staff see them as the same company. */
export function nameKey(name: string): string {
  const key = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, ' ').replace(legalForms, ' ').replace(/\s+/g, ' ').trim()
  return key || name.trim().toLowerCase()
}

const blank = (value: string | undefined) => (value ? value : null)

/** Form values as stored: empty strings are absent, the domain lowercased or taken from the website. */
export function toAccountFields(form: Record<keyof typeof accountFields, string>): AccountFields {
  return {
    name: form.name, domain: blank(form.domain.toLowerCase().replace(/^www\./, '')) ?? (form.website ? domainOf(form.website) : null),
    website: blank(form.website), phone: blank(form.phone), address: blank(form.address), city: blank(form.city),
    postal_code: blank(form.postal_code), country: blank(form.country), industry: blank(form.industry)
  }
}

export function toContactFields(form: Record<keyof typeof contactFields, string>): ContactFields {
  return {
    first_name: form.first_name, last_name: form.last_name, email: blank(form.email.toLowerCase()),
    phone: blank(form.phone), job_title: blank(form.job_title)
  }
}
