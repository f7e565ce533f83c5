import t from 'tap'
import { plainText } from '../../../core/web/markdown.ts'
import { linkedSlugs, renderArticle } from '../../../modules/knowledge/markdown.ts'
import { hostileMarkdown } from '../../fixtures/hostile-markdown.ts'

const render = (markdown: string, titles: Record<string, string> = {}) =>
  renderArticle(markdown, { base: '/portal/knowledge', titles: new Map(Object.entries(titles)) })

t.test('hostile Markdown and HTML render inert', async (t) => {
  for (const source of hostileMarkdown) {
    // Only real tags: a < in text is escaped, so what matches here is markup the browser would build.
    const tags = (render(source).html.match(/<[a-z][^>]*>/gi) ?? []).join(' ')
    t.notMatch(tags, /<(script|svg|style|iframe|form|input|div|img src=x)\b/i, `no element from: ${source}`)
    t.notMatch(tags.replace(/"[^"]*"/g, '""'), /\s(on\w+|style)\s*=/i, `no handler or style attribute from: ${source}`)
    t.notMatch(tags, /(href|src)\s*=\s*"\s*(javascript|vbscript|data):/i, `no script or data address from: ${source}`)
    t.notMatch(tags, /src="https?:/i, `no hot-linked image from: ${source}`)
  }
  t.match(render('<b>bold</b>').html, /&lt;b&gt;bold&lt;\/b&gt;/, 'raw HTML is shown as text, never as markup')
  t.match(render('![diagram](/kb/files/abc)').html, /<img src="\/kb\/files\/abc" alt="diagram"/, 'images from the portal itself stay')
  t.match(render('[docs](https://docs.example/x)').html, /<a href="https:\/\/docs\.example\/x" rel="noopener noreferrer nofollow">docs<\/a>/)
})

t.test('headings get anchors and a table of contents; code blocks and tables render', async (t) => {
  const { html, toc } = render('# Top\n\n## Set up\n\ntext\n\n### Details\n\n## Set up\n\n```js\nconst a = 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |')
  t.same(toc, [
    { level: 2, id: 'top', text: 'Top' }, { level: 2, id: 'set-up', text: 'Set up' },
    { level: 3, id: 'details', text: 'Details' }, { level: 2, id: 'set-up-2', text: 'Set up' }
  ])
  t.match(html, '<h2 id="set-up">Set up</h2>')
  t.match(html, '<h2 id="set-up-2">Set up</h2>', 'a repeated heading gets its own anchor')
  t.match(html, '<pre><code class="language-js">const a = 1 &lt; 2')
  t.match(html, /<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>/)
})

t.test('links to other articles by their address point to the reader’s area and show the current title', async (t) => {
  const source = 'See [](/kb/articles/sso-setup), <a> [my words](/portal/knowledge/articles/sso-setup#test) and [](/kb/articles/secret-plan).'
  t.same(linkedSlugs(source), ['sso-setup', 'secret-plan'])
  const { html } = render(source, { 'sso-setup': 'Setting up single sign-on' })
  t.match(html, '<a href="/portal/knowledge/articles/sso-setup">Setting up single sign-on</a>')
  t.match(html, '<a href="/portal/knowledge/articles/sso-setup#test">my words</a>', 'the author’s words stay')
  t.match(html, '<a href="/portal/knowledge/articles/secret-plan"></a>', 'an article the reader may not read lends no title')
  const visitor = renderArticle('[](/portal/knowledge/articles/sso-setup)', { base: '/kb', titles: new Map() })
  t.match(visitor.html, 'href="/kb/articles/sso-setup"')
})

t.test('plain text drops the markup for search and snippets', async (t) => {
  t.equal(plainText('## Title\n\nSome **bold** [link](https://x.example) & <b>tag</b>'), 'Title\nSome bold link & <b>tag</b>')
})
