import { systemActor } from '../../core/data/audit/audit.service.ts'
import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoStaff } from '../admin/index.ts'
import { demoActor } from '../../core/features/demo.ts'

const password = 'portal-partner-demo'

const levels = [
  { name: 'Registered', rank: 1, benefits: 'Deal registration, partner portal, knowledge base and forums.' },
  { name: 'Silver', rank: 2, benefits: 'Everything in Registered, plus distributed leads and a partner manager.' },
  { name: 'Gold', rank: 3, benefits: 'Everything in Silver, plus priority leads, co-marketing funds and higher margins.' },
  { name: 'Platinum', rank: 4, benefits: 'Everything in Gold, plus joint account planning and first-line support escalation.' }
]

const companies = [
  { company_name: 'Northwind Traders', website: 'https://northwind.example', country: 'US', city: 'Seattle', territories: ['US', 'CA'], expertise: ['Implementation', 'Consulting'], level: 'Gold', admin: 'Nora North', email: 'nora@northwind.example', employees: [['Sid Sales', 'sid@northwind.example']] },
  { company_name: 'Contoso Solutions', website: 'https://contoso.example', country: 'GB', city: 'London', territories: ['GB', 'IE', 'NL'], expertise: ['Managed services', 'Support'], level: 'Silver', admin: 'Colin Contoso', email: 'colin@contoso.example', employees: [['Cara Consultant', 'cara@contoso.example']] },
  { company_name: 'Tailspin Partners', website: 'https://tailspin.example', country: 'DE', city: 'Berlin', territories: ['DE', 'AT', 'CH'], expertise: ['Integration', 'Training'], level: 'Platinum', admin: 'Tara Tailspin', email: 'tara@tailspin.example', employees: [] },
  { company_name: 'Fabrikam Integrators', website: 'https://fabrikam.example', country: 'FR', city: 'Lyon', territories: ['FR', 'BE'], expertise: ['Integration'], level: null, admin: 'Fabien Fabrikam', email: 'fabien@fabrikam.example', employees: [] },
  { company_name: 'Litware Consulting', website: 'https://litware.example', country: 'ES', city: 'Madrid', territories: ['ES', 'PT'], expertise: ['Consulting'], level: 'rejected', admin: 'Lia Litware', email: 'lia@litware.example', employees: [] }
] as const

/** Partner levels, three active partners with teams, a pending and a rejected application. */
export async function seedPartners(cradle: Cradle): Promise<DemoAccount[]> {
  const { db, partners, users } = cradle
  const levelIds = new Map<string, string>()
  for (const level of levels) levelIds.set(level.name, (await partners.saveLevel(systemActor, null, level)).id)
  const decider = await demoActor(cradle, demoStaff[0]!.email)

  for (const c of companies) {
    const { application, partner, user } = await partners.apply({
      company_name: c.company_name, website: c.website, address: '', city: c.city, postal_code: '', country: c.country,
      company_phone: '', territories: [...c.territories], expertise: [...c.expertise], company_size: '11-50',
      name: c.admin, email: c.email, phone: '', job_title: 'Managing director', password, apply_anyway: false
    })
    if (c.level === 'rejected') await partners.reject(decider, application.id, 'We already have enough consulting partners in Iberia this year.')
    if (!c.level || c.level === 'rejected') continue
    await partners.approve(decider, application.id, levelIds.get(c.level)!)
    await partners.updateProfile({ id: user.id, name: user.name }, partner.id, {
      company_name: c.company_name, website: c.website, address: '1 Main Street', city: c.city, postal_code: '10001', country: c.country,
      company_phone: '+1 555 0100', territories: [...c.territories], expertise: [...c.expertise], listed: true,
      summary: `${c.company_name} helps customers in ${c.territories.join(', ')} with ${c.expertise.join(' and ').toLowerCase()}.`
    })
    for (const [name, email] of c.employees) {
      await db.transaction().execute((trx) => users.createWithPassword(trx, systemActor, {
        email, name, password, kind: 'partner', role: 'member', partnerId: partner.id, partnerStatus: 'active',
        permissions: { acceptOffers: true }
      }))
    }
  }
  return [
    { role: 'Partner admin (Gold)', email: 'nora@northwind.example', password },
    { role: 'Partner user', email: 'sid@northwind.example', password },
    { role: 'Partner admin (Silver)', email: 'colin@contoso.example', password },
    { role: 'Applicant (pending)', email: 'fabien@fabrikam.example', password }
  ]
}
