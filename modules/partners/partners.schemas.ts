import { countryCodes } from '../../core/lib/countries.ts'
import { checkbox, choice, country, email, integer, longText, parseForm, password, text, Type, url } from '../../core/lib/validation.ts'
import { Invalid } from '../../core/lib/errors.ts'

export const companySizes = ['1-10', '11-50', '51-200', '201-1000', '1000+'] as const

const list = (label: string) => Type.Array(Type.String({ maxLength: 100 }), { maxItems: 250, label })

const company = {
  company_name: text({ label: 'Company name', max: 160 }),
  website: url({ label: 'Website', max: 200 }),
  address: text({ label: 'Street address', max: 200, optional: true }),
  city: text({ label: 'City', max: 100, optional: true }),
  postal_code: text({ label: 'Postal code', max: 20, optional: true }),
  country: country({ label: 'Country' }),
  company_phone: text({ label: 'Company phone', max: 40, optional: true }),
  territories: list('Territories'),
  expertise: list('Expertise')
}

export const ApplicationForm = Type.Object({
  ...company,
  company_size: choice([...companySizes], 'Company size'),
  name: text({ label: 'Your name', max: 120 }),
  email: email({ label: 'Your e-mail' }),
  phone: text({ label: 'Your phone', max: 40, optional: true }),
  job_title: text({ label: 'Job title', max: 120, optional: true }),
  password: password(),
  apply_anyway: checkbox('Apply anyway')
})

export const CompanyForm = Type.Object({
  ...company,
  listed: checkbox('List us in the public partner directory'),
  summary: longText({ label: 'Directory summary', max: 600, optional: true })
})

export const StaffPartnerForm = Type.Object({
  level_id: Type.String({ format: 'uuid', label: 'Level', message: 'Choose a level.' }),
  territories: list('Territories'),
  expertise: list('Expertise'),
  capacity: integer({ label: 'Capacity', min: 0, max: 10_000 })
})

export const LevelForm = Type.Object({
  name: text({ label: 'Name', max: 60 }),
  rank: integer({ label: 'Rank', min: 1, max: 100 }),
  benefits: longText({ label: 'Benefits', max: 2000, optional: true })
})

export const ProgramForm = Type.Object({
  headline: text({ label: 'Headline', max: 160 }),
  intro: longText({ label: 'Introduction', max: 4000 }),
  expertise_options: longText({ label: 'Expertise options', max: 4000 })
})

export const InviteEmployeeForm = Type.Object({
  name: text({ label: 'Name', max: 120 }),
  email: email(),
  job_title: text({ label: 'Job title', max: 120, optional: true })
})

export const ApproveForm = Type.Object({ level_id: Type.String({ format: 'uuid', label: 'Level', message: 'Choose the partner level.' }) })
export const RejectForm = Type.Object({ reason: longText({ label: 'Reason', min: 5, max: 2000 }) })
export const NoteForm = Type.Object({ body: longText({ label: 'Note', max: 4000 }) })
export const SuspendForm = Type.Object({ reason: longText({ label: 'Reason', min: 5, max: 2000 }) })

/** Territories are countries; expertise comes from the program's list. Anything else is refused. */
export function checkChoices(form: { territories: string[]; expertise: string[] }, expertiseOptions: string[]): void {
  const errors: Record<string, string> = {}
  if (form.territories.some((t) => !countryCodes.includes(t))) errors.territories = 'Choose territories from the list.'
  if (form.expertise.some((e) => !expertiseOptions.includes(e))) errors.expertise = 'Choose expertise from the list.'
  if (Object.keys(errors).length) throw new Invalid(errors)
}

export { parseForm }
