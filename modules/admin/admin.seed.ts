import { systemActor } from '../../core/data/audit/audit.service.ts'
import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'

export const demoStaff = [
  { email: 'admin@example.com', name: 'Avery Admin', role: 'admin' as const, password: 'portal-admin-demo' },
  { email: 'staff@example.com', name: 'Sam Staff', role: 'member' as const, password: 'portal-staff-demo' }
]

export async function seedStaff({ db, users }: Cradle): Promise<DemoAccount[]> {
  await db.transaction().execute(async (trx) => {
    for (const s of demoStaff) {
      await users.createWithPassword(trx, systemActor, { ...s, kind: 'staff' })
    }
  })
  return demoStaff.map((s) => ({ role: s.role === 'admin' ? 'Staff admin' : 'Staff', email: s.email, password: s.password }))
}
