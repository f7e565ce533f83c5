import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

const period = 30

const totp = (secret: string, label = '') =>
  new TOTP({ issuer: 'Partner Portal', label, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period })

/** A new random secret (160 bits, as RFC 4226 recommends), in base32 as authenticator apps take it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32

/**
 * The 30-second step a six-digit code belongs to, if it is right at `now` or one step either side
 * (a phone's clock a little off); undefined if it is not.
 */
export function totpStep(secret: string, code: string, now: number): number | undefined {
  const token = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(token)) return undefined
  const delta = totp(secret).validate({ token, timestamp: now, window: 1 })
  return delta === null ? undefined : Math.floor(now / 1000 / period) + delta
}

export interface Enrolment {
  uri: string
  qr: string
}

/**
 * QR codes made, by address: drawing one takes several milliseconds (more than the rest of the page),
 * and a person shown the set-up page sees the same secret until they finish, so each is drawn once.
 * The address holds the secret and the e-mail, so a new secret or address is a new entry; the oldest
 * entries go first past the limit.
 */
const drawn = new Map<string, Promise<Enrolment>>()
const drawnAtMost = 1000

/** What an authenticator app scans: the otpauth:// address and a QR code of it as an SVG data URL (no script needed). */
export function enrolment(secret: string, email: string): Promise<Enrolment> {
  const uri = totp(secret, email).toString()
  let made = drawn.get(uri)
  if (!made) {
    made = QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
      .then((svg) => ({ uri, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` }))
    made.catch(() => drawn.delete(uri))
    if (drawn.size >= drawnAtMost) drawn.delete(drawn.keys().next().value!)
    drawn.set(uri, made)
  }
  return made
}
