import type { Token } from 'markdown-it'
import { linkedBy, markdown as md, sanitized, showTitle, slugOf } from '../../core/web/markdown.ts'

/** Articles' own Markdown: a table of contents, links between articles shown with their titles, attachments by the reader's address. */

export interface TocEntry { level: number; id: string; text: string }
export interface RenderedArticle { html: string; toc: TocEntry[] }

/** An attached file, by any area's address of it. */
const fileAddress = /^\/(?:kb|portal\/knowledge|admin\/knowledge)\/files\/([0-9a-f-]{36})$/

/** Where an article lives for visitors or partners: /kb/articles/<slug>, /portal/knowledge/articles/<slug>. */
const articleAddress = /^\/(?:kb|portal\/knowledge)\/articles\/([a-z0-9-]+)\/?(?:#([\w-]*))?$/

/** The slugs of the articles a text links to by their address. */
export const linkedSlugs = (text: string): string[] => linkedBy(text, articleAddress)

/**
 * Renders an article for a reader. `base` is where that reader reads articles (/kb, /portal/knowledge),
 * `files` where they fetch attachments (default: `base`), so an image shows from the reader's own area;
 * a link to another article points there, and a link without its own words (its address, or
 * empty) shows the article's current title — from `titles`, which holds only what the reader may read.
 */
export function renderArticle(markdown: string, options: { base: string; titles: Map<string, string>; files?: string }): RenderedArticle {
  const tokens = md.parse(markdown, {})
  const toc: TocEntry[] = []
  const used = new Set<string>()
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') {
      const text = tokens[i + 1]?.content ?? ''
      let id = slugOf(text) || 'section'
      for (let n = 2; used.has(id); n++) id = `${slugOf(text) || 'section'}-${n}`
      used.add(id)
      token.attrSet('id', id)
      const level = Math.max(2, Number(token.tag.slice(1)))
      if (level <= 3) toc.push({ level, id, text })
    }
    if (token.type === 'inline') resolveLinks(token.children ?? [], options)
  })
  return { html: sanitized(md.renderer.render(tokens, md.options, {})), toc }
}

function resolveLinks(children: Token[], options: { base: string; titles: Map<string, string>; files?: string }): void {
  children.forEach((token, i) => {
    const file = token.type === 'image' || token.type === 'link_open' ? fileAddress.exec(String(token.attrGet(token.type === 'image' ? 'src' : 'href') ?? '')) : null
    if (file) token.attrSet(token.type === 'image' ? 'src' : 'href', `${options.files ?? options.base}/files/${file[1]}`)
    if (token.type === 'link_open') resolveArticleLink(children, i, options)
  })
}

/**
 * A link (`children[i]`, its opening) to an article by its address: it points where the reader
 * reads articles (`base`), and without words of its own shows the article's title from `titles`
 * (only what the reader may read). For other features' texts too (forum posts). False if it is no such link.
 */
export function resolveArticleLink(children: Token[], i: number, options: { base: string; titles: Map<string, string> }): boolean {
  const token = children[i]!
  const href = String(token.attrGet('href') ?? '')
  const match = articleAddress.exec(href)
  if (!match) return false
  const slug = match[1]!
  token.attrSet('href', `${options.base}/articles/${slug}${match[2] ? `#${match[2]}` : ''}`)
  showTitle(children, i, href, options.titles.get(slug))
  return true
}
