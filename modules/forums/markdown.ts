import type { Token } from 'markdown-it'
import { linkedBy, markdown as md, sanitized, showTitle } from '../../core/web/markdown.ts'

/** A thread by any area's address of it: /forums/t/<id>, /portal/forums/t/<id>, /admin/forums/t/<id>, with an optional page or post. */
const threadAddress = /^\/(?:forums|portal\/forums|admin\/forums)\/t\/([0-9a-f-]{36})(\?[\w=&]*)?(#[\w-]*)?$/

/** The ids of the threads a text links to by their address. */
export const linkedThreads = (text: string): string[] => linkedBy(text, threadAddress)

/**
 * A post for a reader who reads the forums under `base`: a link to a thread points there, and a
 * link without words of its own (empty, or its address) shows the thread's title — from `titles`,
 * which holds only the threads the reader may read. Sanitised like every text people write.
 */
export function renderPost(markdown: string, options: { base: string; titles: Map<string, string> }): string {
  const tokens = md.parse(markdown, {})
  for (const token of tokens) if (token.type === 'inline') resolveLinks(token.children ?? [], options)
  return sanitized(md.renderer.render(tokens, md.options, {}))
}

function resolveLinks(children: Token[], options: { base: string; titles: Map<string, string> }): void {
  children.forEach((token, i) => {
    if (token.type !== 'link_open') return
    const href = String(token.attrGet('href') ?? '')
    const match = threadAddress.exec(href)
    if (!match) return
    token.attrSet('href', `${options.base}/t/${match[1]}${match[2] ?? ''}${match[3] ?? ''}`)
    showTitle(children, i, href, options.titles.get(match[1]!))
  })
}
