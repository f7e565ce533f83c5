import Bowser from 'bowser'

/** A session's browser and system as people say them ("Chrome 120 on Windows 10"), from its user agent. */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const { browser, os, platform } = Bowser.parse(userAgent)
  const name = browser.name ? `${browser.name}${browser.version ? ` ${browser.version.split('.')[0]}` : ''}` : ''
  const system = [os.name, os.versionName ?? (os.name === 'iOS' || os.name === 'Android' ? os.version?.split('.')[0] : undefined)].filter(Boolean).join(' ')
  const on = system || platform.model || ''
  if (!name && !on) return userAgent.slice(0, 60)
  return [name || 'A browser', on && `on ${on}`].filter(Boolean).join(' ')
}
