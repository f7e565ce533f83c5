import { Invalid } from '../../core/lib/errors.ts'
import { amount, checkbox, choice, country, date, integer, longText, optionalRecordId, recordId, text, Type, url } from '../../core/lib/validation.ts'
import { stages } from './opportunities.table.ts'

export const currencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'SEK', 'NOK', 'DKK', 'JPY', 'INR', 'BRL'] as const

const list = (label: string) => Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, label })
const deal = {
  name: text({ label: 'Opportunity name', max: 160 }),
  estimated_revenue: amount({ label: 'Estimated revenue' }),
  currency: choice([...currencies], 'Currency'),
  expected_close: date({ label: 'Expected close date' }),
  expertise: list('Products and expertise'),
  description: longText({ label: 'Description', max: 4000, optional: true })
}

export const RegistrationForm = Type.Object({
  ...deal,
  account_id: recordId('Customer', 'Choose one of your customers.'),
  contact_id: optionalRecordId('Contact', 'Choose a contact of that customer.')
})

export const EditForm = Type.Object({ ...deal })

export const StaffOpportunityForm = Type.Object({
  ...deal,
  customer_name: text({ label: 'Customer', max: 160 }),
  customer_website: url({ label: 'Customer website', max: 200, optional: true }),
  territory: country({ label: 'Territory' }),
  distribution: choice(['manual', 'auto'], 'Distribution')
})

export const StageForm = Type.Object({ stage: choice([...stages], 'Stage') })
export const NoteForm = Type.Object({ body: longText({ label: 'Note', max: 4000 }) })
export const AssignForm = Type.Object({ owner_id: recordId('Owner', 'Choose who should own the deal.') })
export const WinForm = Type.Object({ actual_revenue: amount({ label: 'Actual revenue' }) })
export const ReasonForm = Type.Object({ reason: longText({ label: 'Reason', min: 5, max: 2000 }) })
export const OfferForm = Type.Object({
  partner_id: recordId('Partner', 'Choose a partner.'),
  hours: integer({ label: 'Hours to answer', min: 1, max: 720 })
})
export const PartnerChoiceForm = Type.Object({ partner_id: recordId('Partner', 'Choose a partner.') })

const weight = (label: string) => integer({ label, min: 0, max: 100 })
export const RulesForm = Type.Object({
  auto_distribute: checkbox('Distribute automatically'),
  offer_hours: integer({ label: 'Hours to answer an offer', min: 1, max: 720 }),
  max_refusals: integer({ label: 'Refusals before the staff queue', min: 1, max: 20 }),
  require_territory: checkbox('Partner must serve the territory'),
  require_expertise: checkbox('Partner must have a matching expertise'),
  respect_capacity: checkbox('Skip partners at capacity'),
  min_level_rank: integer({ label: 'Minimum level rank', min: 0, max: 100 }),
  large_deal_revenue: amount({ label: 'Large deal from' }),
  large_deal_min_rank: integer({ label: 'Minimum level rank for large deals', min: 0, max: 100 }),
  stall_days: integer({ label: 'Days without change before a deal counts as stalled', min: 1, max: 365 }),
  w_territory: weight('Territory weight'), w_expertise: weight('Expertise weight'), w_level: weight('Level weight'),
  w_load: weight('Load weight'), w_winRate: weight('Win rate weight'), w_acceptanceRate: weight('Acceptance rate weight'),
  w_returnRate: weight('Return rate weight'), w_stallRate: weight('Stall rate weight'), w_responseTime: weight('Response time weight'),
  w_timeToClose: weight('Time to close weight')
})

/** Expected close must be a real date, and expertise must come from the program's list. */
export function checkDeal(form: { expected_close: string; expertise: string[] }, expertiseOptions: string[]): void {
  const errors: Record<string, string> = {}
  const day = new Date(`${form.expected_close}T00:00:00Z`)
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== form.expected_close) errors.expected_close = 'Expected close date is not a real date.'
  if (form.expertise.some((e) => !expertiseOptions.includes(e))) errors.expertise = 'Choose products and expertise from the list.'
  if (Object.keys(errors).length) throw new Invalid(errors)
}

export const StaffNoteForm = Type.Object({
  body: longText({ label: 'Note', max: 4000 }),
  shared: checkbox('Visible to the partners on this deal')
})
