import type { Reader, ReaderRef } from '../../core/identity/audience.ts'
import type { Viewer } from '../../core/identity/access.ts'
import { noTitles, renderPost, type LinkTitles } from './markdown.ts'
import type { PostRow } from './forums.table.ts'

/** Who is at a forum page: the person (none for a visitor or on the public pages) and how they read. */
export interface Who {
  viewer: Viewer | null
  reader: Reader
}

/** The same before a partner's levels are read: what a page that reads them in its own round trip starts from. */
export interface WhoRef {
  viewer: Viewer | null
  reader: ReaderRef
}

/** How long an author may edit their own post. */
export const editWindowMs = 30 * 60 * 1000

export const isStaffWho = (who: WhoRef) => who.reader.kind === 'staff'

/** Where the person reads the forums: staff under /admin, partners under /portal, everyone else on the public pages. */
export const baseOf = (who: WhoRef) => (who.reader.kind === 'staff' ? '/admin/forums' : who.reader.kind === 'partner' ? '/portal/forums' : '/forums')

/** Where the person reads knowledge articles a post links to. */
const articlesBaseOf = (who: WhoRef) => (who.reader.kind === 'staff' ? '/admin/knowledge/by-address' : who.reader.kind === 'partner' ? '/portal/knowledge' : '/kb')

/**
 * The company shown with a post: a partner's, unless they hid it from other partners — staff and
 * the author's own company still see it.
 */
export function companyShown(who: WhoRef, post: Pick<PostRow, 'partner_id' | 'company_name' | 'hide_company'>): string | null {
  if (!post.partner_id || !post.company_name) return null
  if (!post.hide_company || isStaffWho(who)) return post.company_name
  return who.reader.kind === 'partner' && who.reader.partnerId === post.partner_id ? post.company_name : null
}

export const isAuthor = (who: WhoRef, post: Pick<PostRow, 'author_id'>) => who.viewer !== null && post.author_id === who.viewer.id

/**
 * A post as a reader sees it: a deleted one as a placeholder, a hidden one's text only to its
 * author and staff (with the reason), Markdown rendered and sanitised, links to threads and
 * articles the reader may read shown with their `titles`.
 */
export function shownPost(who: WhoRef, post: PostRow, now: number, titles: LinkTitles = noTitles()) {
  const own = isAuthor(who, post)
  const staff = isStaffWho(who)
  const readable = !post.deleted && ((!post.hidden && !post.held) || own || staff)
  return {
    ...post,
    body: readable ? post.body : '',
    html: readable ? renderPost(post.body, { base: baseOf(who), articles: articlesBaseOf(who), titles }) : '',
    company: companyShown(who, post),
    companyHidden: post.hide_company && staff,
    own,
    mayEdit: !post.deleted && (staff || (own && now - post.created_at.getTime() < editWindowMs)),
    mayDelete: !post.deleted && (staff || own),
    hiddenReason: post.hidden && (own || staff) ? post.hidden_reason : null
  }
}

export type ShownPost = ReturnType<typeof shownPost>

/** A post quoted in a reply: its text as a Markdown quote under who wrote it. */
export function quoteOf(post: ShownPost): string {
  if (!post.body) return ''
  return `**${post.author_name}** wrote:\n\n${post.body.split('\n').map((line) => `> ${line}`).join('\n')}\n\n`
}
