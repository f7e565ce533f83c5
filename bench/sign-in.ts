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
