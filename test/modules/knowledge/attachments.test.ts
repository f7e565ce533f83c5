import t from 'tap'
import { Agent, buildTestApp } from '../../helper.ts'
import { createArticle, createCategory, createStaffPair, staffPassword } from '../../fixtures/knowledge.ts'
import { createActivePartner } from '../../fixtures/partners.ts'

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)])

/** Sends a file as the article page's upload form does. */
async function upload(agent: Agent, url: string, file: { name: string; type: string; data: Buffer }) {
  if (!agent.csrfToken) await agent.get('/admin/knowledge')
  const boundary = 'x-boundary-42'
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrfToken}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
    file.data, Buffer.from(`\r\n--${boundary}--\r\n`)
  ])
  const res = await agent.app.inject({ method: 'POST', url, payload: body, remoteAddress: agent.ip, headers: { cookie: agent.cookieHeader, 'content-type': `multipart/form-data; boundary=${boundary}` } })
  for (const c of res.cookies as Array<{ name: string; value: string }>) agent.setCookie(c.name, c.value)
  return res
}

t.test('staff attach images and files; readers fetch them only within the article’s audience', async (t) => {
  const { app } = await buildTestApp(t)
  const { db } = app.diContainer.cradle
  const staff = await createStaffPair(app)
  const category = await createCategory(app, staff.author, 'Guides')
  const article = await createArticle(app, staff, category.id, { title: 'Diagram guide', publish: false })
  const author = new Agent(app)
  await author.signIn('author@staff.example', staffPassword)

  const url = `/admin/knowledge/articles/${article.id}/attachments`
  t.equal((await upload(author, url, { name: 'diagram.png', type: 'image/png', data: png })).statusCode, 303)
  const [attachment] = await db.selectFrom('knowledge_attachments').selectAll().execute()
  t.match(attachment, { file_name: 'diagram.png', content_type: 'image/png', size: png.length })
  const refused = [
    { name: 'evil.svg', type: 'image/svg+xml', data: Buffer.from('<svg onload="alert(1)"/>'), message: /Attach an image/ },
    { name: 'fake.png', type: 'image/png', data: Buffer.from('<html><script>alert(1)</script>'), message: /not what its type says/ },
    { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([Buffer.from('%PDF'), Buffer.alloc(5 * 1024 * 1024)]), message: /larger than 5 MB/ }
  ]
  for (const file of refused) {
    const res = await upload(author, url, file)
    t.equal(res.statusCode, 303, `${file.name}: ${res.statusCode} ${res.body.slice(res.body.indexOf('<main'), res.body.indexOf('<main') + 600)}`)
    t.match((await author.get(res.headers.location as string)).body, file.message, `${file.name} is refused`)
  }
  t.equal((await db.selectFrom('knowledge_attachments').select('id').execute()).length, 1, 'nothing else was stored')
  t.equal((await upload(new Agent(app), url, { name: 'a.png', type: 'image/png', data: png })).statusCode, 403, 'no CSRF token, no upload')

  const form = { title: 'Diagram guide', slug: article.slug, category_id: category.id, tags: '', body: `![The diagram](/kb/files/${attachment!.id})`, note: '', material: false }
  await app.diContainer.cradle.knowledgeArticles.update(staff.author, article.id, form)
  const preview = await author.get(`/admin/knowledge/articles/${article.id}`)
  t.match(preview.body, `<img src="/admin/knowledge/files/${attachment!.id}" alt="The diagram"`, 'staff see it through their own area')
  const staffFile = await author.get(`/admin/knowledge/files/${attachment!.id}`)
  t.equal(staffFile.statusCode, 200)
  t.equal(staffFile.headers['content-type'], 'image/png')
  t.equal(staffFile.rawPayload.length, png.length)

  const partner = await createActivePartner(app, 'north')
  const reader = new Agent(app)
  await reader.signIn(partner.email, partner.password)
  t.equal((await reader.get(`/portal/knowledge/files/${attachment!.id}`)).statusCode, 404, 'a draft’s file is not served')
  await app.diContainer.cradle.knowledgeArticles.submit(staff.author, article.id)
  await app.diContainer.cradle.knowledgeArticles.approve(staff.reviewer, article.id, { publish_at: '' })
  const page = await reader.get('/portal/knowledge/articles/diagram-guide')
  t.match(page.body, `<img src="/portal/knowledge/files/${attachment!.id}" alt="The diagram"`, 'a partner sees it through the portal')
  t.match(page.body, /Attachments[\s\S]*diagram\.png/)
  const file = await reader.get(`/portal/knowledge/files/${attachment!.id}`)
  t.equal(file.statusCode, 200)
  t.match(file.headers['content-disposition'], /^inline/)
  t.equal((await new Agent(app).get(`/kb/files/${attachment!.id}`)).statusCode, 404, 'a visitor does not fetch a partners’ article’s file')

  await author.post(`/admin/knowledge/articles/${article.id}/attachments/${attachment!.id}/remove`)
  t.equal((await reader.get(`/portal/knowledge/files/${attachment!.id}`)).statusCode, 404, 'removed')
  t.same(await db.selectFrom('knowledge_files').select('attachment_id').execute(), [], 'its bytes went with it')
})
