import { randomInt } from 'node:crypto'
import http from 'node:http'

/** One answer, or the failure to get one (status 0, with the error code). */
export interface Answer {
  status: number
  started: number
  ended: number
  ms: number
  headers: http.IncomingHttpHeaders
  body: string
  /** ECONNREFUSED, ECONNRESET, timeout, …: no answer came. */
  error?: string
  /** The client address it was sent from (X-Forwarded-For), which the portal logs with the request. */
  address?: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
}

/**
 * One request on a connection of its own (no keep-alive), so a connection refused means the
 * request never reached the server and any other failure means a request in flight went
 * unanswered — what the shutdown checks tell apart.
 */
export function send(origin: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const started = Date.now()
  const url = new URL(path, origin)
  return new Promise((resolve) => {
    let settled = false
    const finish = (answer: Omit<Answer, 'started' | 'ended' | 'ms'>) => {
      if (settled) return
      settled = true
      const ended = Date.now()
      resolve({ ...answer, started, ended, ms: ended - started })
    }
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, body: '', error: err.code ?? err.message }))
    })
    req.setTimeout(options.timeoutMs ?? 15_000, () => {
      finish({ status: 0, headers: {}, body: '', error: 'timeout' })
      req.destroy()
    })
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, body: '', error: err.code ?? err.message }))
    req.end(options.body)
  })
}

/** Cookies and the CSRF token of one browser; several clients may share one (the same session). */
export class Session {
  readonly cookies = new Map<string, string>()
  csrf: string | undefined

  copy(): Session {
    const s = new Session()
    for (const [k, v] of this.cookies) s.cookies.set(k, v)
    s.csrf = this.csrf
    return s
  }
}

// From a random start: sign-in attempts are counted in Redis, which outlives a run.
let addresses = randomInt(0, 190 << 16)
/** A client address of its own (sent as X-Forwarded-For; the portal runs with TRUST_PROXY), so rate limits count per client. */
export const nextAddress = () => {
  const n = addresses++ % (200 << 16)
  return `10.${n >> 16}.${(n >> 8) & 255}.${(n & 255) || 1}`
}

/** A browser: keeps cookies, submits forms with the page's CSRF token, follows no redirects. */
export class Client {
  /**
   * Send each request from an address of its own, so the portal's log of it ("incoming request",
   * with the address) tells whether a request that got no answer had been read by the server.
   */
  tagRequests = false

  constructor(public origin: string, readonly session = new Session(), readonly address = nextAddress()) {}

  /** The same browser talking to another process. */
  at(origin: string): Client {
    const other = new Client(origin, this.session, this.address)
    other.tagRequests = this.tagRequests
    return other
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.session.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const address = this.tagRequests ? nextAddress() : this.address
    return { 'x-forwarded-for': address, 'user-agent': 'resilience-suite', ...(cookie ? { cookie } : {}), ...extra }
  }

  private remember(answer: Answer, headers: Record<string, string>): Answer {
    answer.address = headers['x-forwarded-for']
    const set = answer.headers['set-cookie'] ?? []
    for (const line of set) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now())
      if (expired) this.session.cookies.delete(name)
      else this.session.cookies.set(name, value)
    }
    const token = /"x-csrf-token":"([^"]+)"/.exec(answer.body.replace(/&quot;/g, '"'))?.[1] ??
      /name="_csrf" value="([^"]+)"/.exec(answer.body)?.[1]
    if (token) this.session.csrf = token
    return answer
  }

  async get(path: string, timeoutMs?: number): Promise<Answer> {
    const headers = this.headers()
    return this.remember(await send(this.origin, path, { headers, timeoutMs }), headers)
  }

  /** Posts a form with the CSRF token (fetching /signin first when the browser has none yet). */
  async post(path: string, form: Record<string, string> = {}, timeoutMs?: number): Promise<Answer> {
    if (!this.session.csrf) await this.get('/signin')
    const body = new URLSearchParams({ ...form, _csrf: this.session.csrf ?? '' }).toString()
    const headers = this.headers({ 'content-type': 'application/x-www-form-urlencoded' })
    return this.remember(await send(this.origin, path, { method: 'POST', body, timeoutMs, headers }), headers)
  }

  /** Posts a multipart form with one file, as the CSV import's upload does. */
  async postFile(path: string, fields: Record<string, string>, file: { field: string; name: string; type: string; content: string }, timeoutMs?: number): Promise<Answer> {
    if (!this.session.csrf) await this.get('/signin')
    const boundary = `----resilience${Date.now().toString(16)}`
    const parts = Object.entries({ _csrf: this.session.csrf ?? '', ...fields })
      .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n${file.content}\r\n--${boundary}--\r\n`)
    const headers = this.headers({ 'content-type': `multipart/form-data; boundary=${boundary}` })
    return this.remember(await send(this.origin, path, { method: 'POST', body: Buffer.from(parts.join(''), 'utf8'), timeoutMs, headers }), headers)
  }

  async signIn(email: string, password: string): Promise<Answer> {
    await this.get('/signin')
    const answer = await this.post('/signin', { email, password })
    if (answer.status !== 303 || !this.session.cookies.has('pp_session')) {
      throw new Error(`signing in as ${email} at ${this.origin} answered ${answer.status || answer.error}`)
    }
    return answer
  }

  /** Whether this browser is signed in here: its home page answers 200 rather than sending it to /signin. */
  async signedIn(path = '/portal'): Promise<{ yes: boolean; answer: Answer }> {
    const answer = await this.get(path)
    return { yes: answer.status === 200, answer }
  }
}

export const locationOf = (answer: Answer) => String(answer.headers.location ?? '')
