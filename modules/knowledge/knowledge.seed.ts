import type { Cradle } from '../../core/container.ts'
import type { DemoAccount } from '../../core/features/features.ts'
import { demoActor } from '../../core/features/demo.ts'
import type { AudienceKind } from '../../core/identity/audience.ts'
import { demoStaff } from '../admin/index.ts'

interface DemoArticle { title: string; category: string; tags: string; audience: AudienceKind; level?: string; company?: string; required?: boolean; draft?: boolean; body: string }

const categories: Array<{ name: string; description: string; parent?: string }> = [
  { name: 'Getting started', description: 'Your first weeks in the partner program.' },
  { name: 'Partner program', description: 'Levels, benefits, margins and co-marketing.' },
  { name: 'Deal registration', description: 'Registering opportunities and working offers.', parent: 'Partner program' },
  { name: 'Products', description: 'What we sell, how it fits together, how to set it up.' },
  { name: 'Integrations', description: 'Connecting the platform to your customers’ systems.', parent: 'Products' },
  { name: 'Support', description: 'Getting help for you and your customers.' }
]

const articles: DemoArticle[] = [
  { title: 'Welcome to the partner portal', category: 'Getting started', tags: 'onboarding', audience: 'public', body: `A short tour of what the portal does for you.

## Your dashboard
Revenue won, pipeline by stage and offers waiting for an answer.

## Customers and opportunities
Register an opportunity as soon as you qualify it — see [](/kb/articles/how-to-register-an-opportunity).

## Knowledge base
Search it before you open a case: most answers are here.` },
  { title: 'How to register an opportunity', category: 'Deal registration', tags: 'deals, registration', audience: 'public', body: `Registering an opportunity protects your deal.

## Before you register
- The customer account must be yours.
- Check that no other open opportunity covers the same need.

## Steps
1. Open **Opportunities** and choose **Register**.
2. Pick the customer account, the revenue and the expected close date.
3. Send it. Staff approve or decline within two working days.

## After approval
The opportunity is yours for 90 days; update its stage as it moves.` },
  { title: 'Partner levels and benefits', category: 'Partner program', tags: 'levels, benefits', audience: 'public', body: `| Level | Margin | Leads |
|---|---|---|
| Registered | 10% | — |
| Silver | 15% | distributed |
| Gold | 20% | priority |
| Platinum | 25% | priority, joint planning |

Levels are reviewed every year on your revenue won and certifications.` },
  { title: 'Accepting and rejecting offers', category: 'Deal registration', tags: 'offers, leads', audience: 'partners', body: `When staff offer you an opportunity you have until its deadline to answer.

## Accept
The opportunity becomes yours and the customer account is added to your customers.

## Reject
Say why: it helps us route the next lead better.` },
  { title: 'Setting up single sign-on', category: 'Integrations', tags: 'sso, saml, okta', audience: 'partners', body: `Single sign-on lets your customers' staff use their own identity provider.

## Requirements
- An identity provider speaking SAML 2.0 (Okta, Entra ID, Google).
- Administrator access to the customer's tenant.

## Configure the identity provider
\`\`\`text
Entity ID:   https://app.example.com/saml
ACS URL:     https://app.example.com/saml/acs
Name ID:     e-mail address
\`\`\`

## Test
Sign in from a private window. If it fails, check the clock of the identity provider.` },
  { title: 'Importing customer data from CSV', category: 'Products', tags: 'csv, import, customers', audience: 'partners', body: `Bring your existing customer list in one go.

1. Download the template from **Customers → Import**.
2. Fill one row per contact; accounts repeat on each of their contacts' rows.
3. Upload it, check the preview, import.

Rows with errors are listed with the column at fault.` },
  { title: 'Co-marketing funds: how to claim', category: 'Partner program', tags: 'marketing, funds', audience: 'levels', level: 'Gold', body: `Gold and Platinum partners receive co-marketing funds each quarter.

## What qualifies
Events, campaigns and content that name our products.

## Claiming
Send the invoice and proof of execution within 60 days of the activity.` },
  { title: 'Joint account planning', category: 'Partner program', tags: 'planning, platinum', audience: 'levels', level: 'Platinum', body: `Platinum partners plan their largest accounts with our account team twice a year.

## Preparing
Bring the account's pipeline, renewals and risks.` },
  { title: 'Northwind rollout playbook', category: 'Products', tags: 'playbook', audience: 'companies', company: 'Northwind Traders', body: `The fleet tracking rollout plan agreed with Northwind Traders.

## Phases
1. Pilot with two depots.
2. Regional rollout.
3. National rollout and handover to support.` },
  { title: 'Opening a support case', category: 'Support', tags: 'support, cases', audience: 'partners', body: `Search the knowledge base first. If the answer is not there, open a case.

## What to include
- The customer account and, if any, the opportunity it blocks.
- What you did, what you expected, what happened.
- Screenshots or logs.` },
  { title: 'Partner code of conduct', category: 'Getting started', tags: 'policy, compliance', audience: 'partners', required: true, body: `Every partner employee reads and acknowledges this code.

## Honest selling
Never promise features that are not on the published roadmap.

## Customer data
Use customer data only for the purpose the customer gave it.

## Reporting
Report a suspected breach to partners@example.com within 24 hours.` },
  { title: 'Webhook events reference', category: 'Integrations', tags: 'api, webhooks', audience: 'partners', draft: true, body: `Work in progress: the list of events and their payloads.` }
]

/** Categories and a dozen articles for several audiences, one of them required reading, one still a draft. */
export async function seedKnowledge(cradle: Cradle): Promise<DemoAccount[]> {
  const { knowledgeCategories, knowledgeArticles, partners } = cradle
  const author = await demoActor(cradle, demoStaff[1]!.email)
  const reviewer = await demoActor(cradle, demoStaff[0]!.email)
  const categoryIds = new Map<string, string>()
  for (const [position, c] of categories.entries()) {
    const saved = await knowledgeCategories.save(author, null, { name: c.name, description: c.description, parent_id: c.parent ? categoryIds.get(c.parent)! : '', position })
    categoryIds.set(c.name, saved.id)
  }
  const levels = await partners.levels()
  const companies = await partners.partnerNames({ status: 'active' })
  for (const a of articles) {
    const article = await knowledgeArticles.create(author, { title: a.title, slug: '', category_id: categoryIds.get(a.category)!, tags: a.tags, body: a.body, note: '', material: false })
    await knowledgeArticles.setAudience(author, article.id, {
      audience: a.audience, audience_level_id: levels.find((l) => l.name === a.level)?.id ?? '',
      audience_partner_ids: companies.filter((p) => p.name === a.company).map((p) => p.id), required: a.required ?? false, review_by: ''
    })
    if (a.draft) continue
    await knowledgeArticles.submit(author, article.id)
    await knowledgeArticles.approve(reviewer, article.id, { publish_at: '' })
  }
  return []
}
