import MarkdownIt, { type Token } from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import { ByText } from '../lib/by-text.ts'

/**
 * What people write (articles, posts, cases) is Markdown, rendered on the server: raw HTML is never
 * markup (markdown-it's `html` off shows it as text), and the result passes an allow-list sanitiser,
 * so no script, event handler, style, javascript: or data: address reaches a page whatever the Markdown holds.
 */
export const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false })

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

/** HTML that passed the allow-list. */
export const sanitized = (html: string): string => sanitizeHtml(html, sanitizeOptions)

const rendered = new ByText<string>(4_000_000)

/**
 * Markdown as safe HTML, for a text with no links of the portal's own to resolve. The same text
 * always renders the same, so the HTML of the latest texts is kept by their text: a case's page
 * renders its body and fifteen replies on every view (a third of its server time under load).
 */
export const renderMarkdown = (text: string): string => rendered.get(text, () => sanitized(markdown.render(text)))

/** The first group of `address` in every link of a text that matches it: what a text links to (articles, threads). */
export function linkedBy(text: string, address: RegExp): string[] {
  const found = new Set<string>()
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      const key = token.type === 'link_open' ? address.exec(String(token.attrGet('href') ?? ''))?.[1] : undefined
      if (key) found.add(key)
      if (token.children) visit(token.children)
    }
  }
  visit(markdown.parse(text, {}))
  return [...found]
}

/** A link (`children[i]` its opening, `href` its address) without words of its own — empty, or its address — shows `title` instead. */
export function showTitle(children: Token[], i: number, href: string, title: string | undefined): void {
  const next = children[i + 1]
  const bare = next?.type === 'link_close' || (next?.type === 'text' && children[i + 2]?.type === 'link_close' && next.content.trim() === href)
  if (!title || !bare) return
  if (next?.type === 'text') next.content = title
  else {
    const text = new (children[i]!.constructor as typeof Token)('text', '', 0)
    text.content = title
    children.splice(i + 1, 0, text)
  }
}

export const slugOf = (text: string): string =>
  text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80)

/** The text of a Markdown body without its markup, for search and snippets. */
export function plainText(text: string): string {
  return sanitizeHtml(markdown.render(text).replace(/<\/(p|h\d|li|pre|tr|blockquote)>/g, '$&\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim()
}
