/** The time, where a test must be able to set it (TOTP codes depend on it). One per app. */
export interface Clock {
  now(): number
}

export const systemClock = (): Clock => ({ now: () => Date.now() })
