/** The cookies a browser would keep from a response, by name. */
const cookiesOf = (response: Response) =>
  new Map(response.headers.getSetCookie().map((c) => c.split(';')[0]!.split(/=(.*)/s, 2) as [string, string]))
const header = (cookies: Map<string, string>) => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')

/**
 * Signs in through the form like a browser does and returns the Cookie header it would send
 * next: the session and the CSRF secret, so pages do not mint a new secret on every request.
 */
export async function signIn(origin: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${origin}/signin`)
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1]
  if (!form.ok || !token) throw new Error(`GET /signin answered ${form.status} without a CSRF token`)

  const cookies = cookiesOf(form)
  const response = await fetch(`${origin}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header(cookies) },
    body: new URLSearchParams({ _csrf: token, email, password })
  })
  for (const [name, value] of cookiesOf(response)) cookies.set(name, value)
  if (response.status !== 303 || !cookies.has('pp_session')) throw new Error(`Signing in as ${email} failed with ${response.status}`)
  return header(cookies)
}

/** Issues an API key with the whole company's access through the Integrations form, as a partner admin would. */
export async function issueApiKey(origin: string, cookie: string): Promise<string> {
  const form = await fetch(`${origin}/portal/integrations/keys/new`, { headers: { cookie } })
  const html = await form.text()
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!form.ok || !token) throw new Error(`GET /portal/integrations/keys/new answered ${form.status} without a CSRF token`)
  const body = new URLSearchParams({ _csrf: token, name: 'bench', lifetime: 'never' })
  for (const [, area] of html.matchAll(/name="([a-z-]+)_scope"/g)) body.set(`${area}_scope`, 'company')
  const response = await fetch(`${origin}/portal/integrations/keys`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body
  })
  const key = /value="(pp_[A-Za-z0-9_-]{43})"/.exec(await response.text())?.[1]
  if (response.status !== 201 || !key) throw new Error(`Issuing an API key failed with ${response.status}`)
  return key
}
