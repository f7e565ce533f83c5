import type { Token } from 'markdown-it'
import { ByText } from '../../core/lib/by-text.ts'
import { linkedBy, markdown as md, sanitized, showTitle } from '../../core/web/markdown.ts'
import { linkedSlugs, resolveArticleLink } from '../knowledge/index.ts'

/** A thread by any area's address of it: /forums/t/<id>, /portal/forums/t/<id>, /admin/forums/t/<id>, with an optional page or post. */
const threadAddress = /^\/(?:forums|portal\/forums|admin\/forums)\/t\/([0-9a-f-]{36})(\?[\w=&]*)?(#[\w-]*)?$/

// Parsing and sanitising a thread page's posts again on every view was most of its cost.
const links = new ByText<{ threads: string[]; articles: string[] }>(4_000_000)
const plainPosts = new ByText<string>(4_000_000)
const linksOf = (text: string) => links.get(text, () => ({ threads: linkedBy(text, threadAddress), articles: linkedSlugs(text) }))

/** The ids of the threads a text links to by their address. */
export const linkedThreads = (text: string): string[] => linksOf(text).threads

/** The slugs of the knowledge articles a text links to by their address. */
export const linkedArticles = (text: string): string[] => linksOf(text).articles

/** The titles a reader may see of what posts link to: threads by id, knowledge articles by slug. */
export interface LinkTitles { threads: Map<string, string>; articles: Map<string, string> }

export const noTitles = (): LinkTitles => ({ threads: new Map(), articles: new Map() })

/** Where the reader is: threads under `base`, knowledge articles under `articles`. */
interface RenderOptions { base: string; articles: string; titles: LinkTitles }

/**
 * A post for a reader: a link to a thread or an article points where they read it, and a link
 * without words of its own (empty, or its address) shows its title — from `titles`, which holds
 * only what the reader may read. Sanitised like every text people write.
 */
export function renderPost(markdown: string, options: RenderOptions): string {
  const { threads, articles } = linksOf(markdown)
  // Without links of the portal's own, a post reads the same wherever and to whomever it is shown.
  if (threads.length === 0 && articles.length === 0) return plainPosts.get(markdown, () => render(markdown, options))
  return render(markdown, options)
}

function render(markdown: string, options: RenderOptions): string {
  const tokens = md.parse(markdown, {})
  for (const token of tokens) if (token.type === 'inline') resolveLinks(token.children ?? [], options)
  return sanitized(md.renderer.render(tokens, md.options, {}))
}

function resolveLinks(children: Token[], options: RenderOptions): void {
  children.forEach((token, i) => {
    if (token.type !== 'link_open') return
    const href = String(token.attrGet('href') ?? '')
    const match = threadAddress.exec(href)
    if (!match) {
      resolveArticleLink(children, i, { base: options.articles, titles: options.titles.articles })
      return
    }
    token.attrSet('href', `${options.base}/t/${match[1]}${match[2] ?? ''}${match[3] ?? ''}`)
    showTitle(children, i, href, options.titles.threads.get(match[1]!))
  })
}
