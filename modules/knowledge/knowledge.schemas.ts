import { audienceKinds } from '../../core/identity/audience.ts'
import { checkbox, choice, date, integer, longText, optionalRecordId, recordId, text, Type } from '../../core/lib/validation.ts'

const slug = Object.assign(Type.String({ maxLength: 80, pattern: '^$|^[a-z0-9]+(-[a-z0-9]+)*$' }),
  { label: 'Address', message: 'Address must be lower-case letters, digits and single hyphens, like setting-up-sso.' })

const dateTime = Object.assign(Type.String({ maxLength: 16, pattern: '^$|^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' }),
  { label: 'Publish at', message: 'Publish at must be a date and time (YYYY-MM-DDTHH:MM, UTC).' })

export const ArticleForm = Type.Object({
  title: text({ label: 'Title', max: 200 }),
  slug,
  category_id: recordId('Category', 'Choose a category.'),
  tags: text({ label: 'Tags', max: 300, optional: true }),
  body: longText({ label: 'Body', max: 200_000 }),
  note: text({ label: 'Change note', max: 200, optional: true }),
  material: checkbox('Material change')
})

export const CategoryForm = Type.Object({
  name: text({ label: 'Name', max: 120 }),
  description: longText({ label: 'Description', max: 1000, optional: true }),
  parent_id: optionalRecordId('Parent', 'Choose a parent category, or none.'),
  position: integer({ label: 'Position', min: 0, max: 10_000 })
})

export const AudienceForm = Type.Object({
  audience: choice([...audienceKinds], 'Audience'),
  audience_level_id: optionalRecordId('Level', 'Choose a partner level.'),
  audience_partner_ids: Object.assign(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 }), { label: 'Partners', message: 'Choose partners from the list.' }),
  required: checkbox('Required reading'),
  review_by: date({ label: 'Review by', optional: true })
})

export const ApproveForm = Type.Object({ publish_at: dateTime })
export const SendBackForm = Type.Object({ comment: longText({ label: 'Comment', max: 2000 }) })
export const VoteForm = Type.Object({
  helpful: choice(['yes', 'no'], 'Was this helpful'),
  comment: longText({ label: 'Comment', max: 2000, optional: true })
})

/** Tags as typed ("sso, Okta ,sso") → unique, lower-case, trimmed. */
export function parseTags(input: string): string[] {
  return [...new Set(input.split(',').map((t) => t.trim().toLowerCase().replace(/\s+/g, ' ')).filter(Boolean))].slice(0, 20)
}
