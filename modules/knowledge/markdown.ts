import MarkdownIt, { type Token } from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

/**
 * Articles are Markdown, rendered on the server: raw HTML is never markup (markdown-it's `html`
 * off shows it as text), and the result passes an allow-list sanitiser, so no script, event
 * handler, style, javascript: or data: address reaches a page whatever the Markdown holds.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false })

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['h2', 'h3', 'h4', 'h5', 'h6', 'p', 'a', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'em', 'strong', 's',
    'hr', 'br', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], code: ['class'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'], ol: ['start'] },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images come from the portal's own address only: no hot-linking, no data: URLs.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  transformTags: {
    h1: 'h2',
    a: (tagName, attribs) => ({ tagName, attribs: /^https?:/i.test(attribs.href ?? '') ? { ...attribs, rel: 'noopener noreferrer nofollow' } : attribs })
  }
}

export interface TocEntry { level: number; id: string; text: string }
export interface RenderedArticle { html: string; toc: TocEntry[] }

/** An attached file, by any area's address of it. */
const fileAddress = /^\/(?:kb|portal\/knowledge|admin\/knowledge)\/files\/([0-9a-f-]{36})$/

/** Where an article lives for visitors or partners: /kb/articles/<slug>, /portal/knowledge/articles/<slug>. */
const articleAddress = /^\/(?:kb|portal\/knowledge)\/articles\/([a-z0-9-]+)\/?(?:#([\w-]*))?$/

export const slugOf = (text: string): string =>
  text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80)

/** The slugs of the articles a text links to by their address. */
export function linkedSlugs(markdown: string): string[] {
  const slugs = new Set<string>()
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      const slug = token.type === 'link_open' ? articleAddress.exec(String(token.attrGet('href') ?? ''))?.[1] : undefined
      if (slug) slugs.add(slug)
      if (token.children) visit(token.children)
    }
  }
  visit(md.parse(markdown, {}))
  return [...slugs]
}

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
  return { html: sanitizeHtml(md.renderer.render(tokens, md.options, {}), sanitizeOptions), toc }
}

function resolveLinks(children: Token[], options: { base: string; titles: Map<string, string>; files?: string }): void {
  children.forEach((token, i) => {
    const file = token.type === 'image' || token.type === 'link_open' ? fileAddress.exec(String(token.attrGet(token.type === 'image' ? 'src' : 'href') ?? '')) : null
    if (file) token.attrSet(token.type === 'image' ? 'src' : 'href', `${options.files ?? options.base}/files/${file[1]}`)
    if (token.type !== 'link_open') return
    const href = String(token.attrGet('href') ?? '')
    const match = articleAddress.exec(href)
    if (!match) return
    const slug = match[1]!
    token.attrSet('href', `${options.base}/articles/${slug}${match[2] ? `#${match[2]}` : ''}`)
    const title = options.titles.get(slug)
    const next = children[i + 1]
    const bare = next?.type === 'link_close' || (next?.type === 'text' && children[i + 2]?.type === 'link_close' && next.content.trim() === href)
    if (!title || !bare) return
    if (next?.type === 'text') next.content = title
    else {
      const text = new (token.constructor as typeof Token)('text', '', 0)
      text.content = title
      children.splice(i + 1, 0, text)
    }
  })
}

/** The text of a Markdown body without its markup, for search and snippets. */
export function plainText(markdown: string): string {
  return sanitizeHtml(md.render(markdown).replace(/<\/(p|h\d|li|pre|tr|blockquote)>/g, '$&\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim()
}
