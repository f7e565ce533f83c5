import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoViewer } from '../../core/features/demo.ts'

type Demo = [name: string, domain: string, city: string, country: string, industry: string, contacts: Array<[first: string, last: string, title: string]>]

/** Each active demo partner's customers; Adatum and Wingtip are with two partners, for the staff's duplicate list. */
const customersOf: Record<string, Demo[]> = {
  'nora@northwind.example': [
    ['Adatum Corporation', 'adatum.example', 'Seattle', 'US', 'Manufacturing', [['Alice', 'Adams', 'CIO'], ['Bob', 'Brown', 'IT manager']]],
    ['Blue Yonder Airlines', 'blueyonder.example', 'Vancouver', 'CA', 'Aviation', [['Carla', 'Chen', 'Head of operations']]],
    ['Coho Winery', 'cohowinery.example', 'Portland', 'US', 'Food and drink', [['Dan', 'Diaz', 'Owner']]],
    ['Wingtip Toys', 'wingtiptoys.example', 'Denver', 'US', 'Retail', [['Erin', 'Evans', 'Buyer']]]
  ],
  'sid@northwind.example': [
    ['Fourth Coffee', 'fourthcoffee.example', 'Boston', 'US', 'Food and drink', [['Finn', 'Foster', 'Store manager']]]
  ],
  'colin@contoso.example': [
    ['Adatum Corp.', 'adatum.example', 'Manchester', 'GB', 'Manufacturing', [['Grace', 'Green', 'Procurement lead']]],
    ['Humongous Insurance', 'humongousinsurance.example', 'Dublin', 'IE', 'Insurance', [['Hugo', 'Hill', 'CTO'], ['Ivy', 'Ingram', 'Architect']]],
    ['Margie’s Travel', 'margiestravel.example', 'Amsterdam', 'NL', 'Travel', [['Jan', 'Jansen', 'Director']]]
  ],
  'tara@tailspin.example': [
    ['Wingtip Toys GmbH', '', 'Munich', 'DE', 'Retail', [['Klara', 'Klein', 'Geschäftsführerin']]],
    ['Lucerne Publishing', 'lucernepublishing.example', 'Zurich', 'CH', 'Publishing', [['Lukas', 'Lang', 'IT lead']]]
  ]
}

/** Customer accounts and contacts for each active demo partner, entered as their people would. */
export async function seedCustomers(cradle: Cradle): Promise<DemoAccount[]> {
  const { customers, customerContacts } = cradle
  for (const [email, demos] of Object.entries(customersOf)) {
    const viewer = (await demoViewer(cradle, email))!
    for (const [name, domain, city, country, industry, contacts] of demos) {
      const accountId = await customers.createAccount(viewer, {
        name, domain, website: domain ? `https://${domain}` : '', phone: '', address: '', city, postal_code: '', country, industry, owner_id: ''
      })
      for (const [first, last, title] of contacts) {
        const contact = await customerContacts.create(viewer, {
          first_name: first, last_name: last, job_title: title, phone: '', account_id: accountId,
          email: domain ? `${first.toLowerCase()}@${domain}` : ''
        })
        if (first === contacts[0]![0]) await customers.setPrimaryContact(viewer, accountId, contact.id)
      }
    }
  }
  return []
}
