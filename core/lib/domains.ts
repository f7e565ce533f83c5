/** A company's web domain from its website: example.com from https://www.example.com/about, or null. */
export function domainOf(website: string): string | null {
  try {
    return new URL(website).hostname.toLowerCase().replace(/^www\./, '') || null
  } catch {
    return null
  }
}
