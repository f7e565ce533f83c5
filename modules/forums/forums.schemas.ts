import { audienceKinds } from '../../core/identity/audience.ts'
import { checkbox, choice, integer, longText, optionalRecordId, recordId, text, Type } from '../../core/lib/validation.ts'

export const CategoryForm = Type.Object({
  name: text({ label: 'Name', max: 120 }),
  description: longText({ label: 'Description', max: 1000, optional: true }),
  position: integer({ label: 'Position', min: 0, max: 10_000 })
})

export const ForumForm = Type.Object({
  category_id: recordId('Category', 'Choose a category.'),
  name: text({ label: 'Name', max: 120 }),
  description: longText({ label: 'Description', max: 1000, optional: true }),
  position: integer({ label: 'Position', min: 0, max: 10_000 }),
  audience: choice([...audienceKinds], 'Audience'),
  audience_level_id: optionalRecordId('Level', 'Choose a partner level.'),
  audience_partner_ids: Object.assign(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 }), { label: 'Partners', message: 'Choose partners from the list.' }),
  posting: choice(['audience', 'staff'], 'Who may post'),
  allow_hidden_company: checkbox('Allow partners to hide their company from other partners')
})

export const postBody = longText({ label: 'Message', max: 50_000 })

export const ThreadForm = Type.Object({
  kind: choice(['discussion', 'question'], 'Kind'),
  title: text({ label: 'Title', min: 5, max: 200 }),
  body: postBody,
  hide_company: checkbox('Hide my company from other partners')
})

export const ReplyForm = Type.Object({
  body: postBody,
  hide_company: checkbox('Hide my company from other partners')
})

export const EditForm = Type.Object({ body: postBody })
export const ReasonForm = Type.Object({ reason: text({ label: 'Reason', max: 500 }) })
export const MoveForm = Type.Object({ forum_id: recordId('Forum', 'Choose the forum to move the thread to.') })
export const ModerateForm = Type.Object({ action: choice(['pin', 'unpin', 'lock', 'unlock', 'close', 'reopen'], 'Action') })
export const FollowForumForm = Type.Object({ level: choice(['posts', 'threads', 'none'], 'Follow') })
export const FollowThreadForm = Type.Object({ following: choice(['yes', 'no'], 'Follow') })
export const SettingsForm = Type.Object({
  delivery: choice(['immediate', 'digest'], 'E-mail'),
  auto_follow: checkbox('Follow the threads I start or reply to')
})
export const MuteForm = Type.Object({
  days: integer({ label: 'Days', min: 1, max: 365 }),
  reason: text({ label: 'Reason', max: 500 })
})
