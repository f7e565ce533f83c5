import type { Token } from 'markdown-it'
import { markdown as md, sanitized } from '../../core/web/markdown.ts'

/** A thread by any area's address of it: /forums/t/<id>, /portal/forums/t/<id>, /admin/forums/t/<id>, with an optional page or post. */
const threadAddress = /^\/(?:forums|portal\/forums|admin\/forums)\/t\/([0-9a-f-]{36})(\?[\w=&]*)?(#[\w-]*)?$/

/** The ids of the threads a text links to by their address. */
export function linkedThreads(markdown: string): string[] {
  const ids = new Set<string>()
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      const id = token.type === 'link_open' ? threadAddress.exec(String(token.attrGet('href') ?? ''))?.[1] : undefined
      if (id) ids.add(id)
      if (token.children) visit(token.children)
    }
  }
  visit(md.parse(markdown, {}))
  return [...ids]
}

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
    const title = options.titles.get(match[1]!)
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
