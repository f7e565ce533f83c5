import { checkbox, choice, integer, longText, optionalRecordId, text, Type } from '../../core/lib/validation.ts'
import { caseStatuses, caseTypes, priorities } from './cases.table.ts'

export const CaseForm = Type.Object({
  subject: text({ label: 'Subject', max: 200 }),
  body: longText({ label: 'Description', max: 20_000 }),
  type: choice([...caseTypes], 'Type'),
  priority: choice([...priorities], 'Priority'),
  account_id: optionalRecordId('Customer', 'Choose one of your customers, or none.'),
  opportunity_id: optionalRecordId('Opportunity', 'Choose one of your opportunities, or none.'),
  follow_up_of: optionalRecordId('Follow-up of', 'This follow-up names a case that cannot be found.')
})

export const ReplyForm = Type.Object({ body: longText({ label: 'Your reply', max: 20_000 }) })

export const NoteForm = Type.Object({ note: longText({ label: 'Note for the staff', max: 20_000 }) })

export const RatingForm = Type.Object({
  rating: integer({ label: 'Rating', min: 1, max: 5 }),
  rating_comment: longText({ label: 'Comment', max: 2000, optional: true })
})

export const StatusForm = Type.Object({ status: choice([...caseStatuses], 'Status') })
export const PriorityForm = Type.Object({ priority: choice([...priorities], 'Priority') })
export const AssignForm = Type.Object({ assignee_id: optionalRecordId('Assignee', 'Choose a colleague from the list.') })

/** "This answered my question": the suggestion a partner followed instead of opening a case. */
export const DeflectionForm = Type.Object({
  provider: text({ label: 'Provider', max: 40 }),
  href: text({ label: 'Address', max: 500 }),
  title: longText({ label: 'Title', max: 300 }),
  subject: longText({ label: 'Subject', max: 200, optional: true })
})

/** A staff reply may set the status it leaves the case in (waiting on the partner, resolved). */
export const StaffReplyForm = Type.Object({
  body: longText({ label: 'Message to the partner', max: 20_000 }),
  next_status: choice(['', 'open', 'waiting', 'resolved'], 'Then')
})

export const CannedForm = Type.Object({
  title: text({ label: 'Title', max: 120 }),
  body: longText({ label: 'Reply', max: 20_000 }),
  shared: checkbox('Shared with every colleague')
})

export const MergeForm = Type.Object({ into: text({ label: 'Case to merge into', max: 20 }) })

export const ViewForm = Type.Object({
  name: text({ label: 'View name', max: 60 }),
  query: longText({ label: 'Filters', max: 1000, optional: true }),
  shared: checkbox('Shared with every colleague')
})
