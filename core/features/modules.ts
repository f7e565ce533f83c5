import type { Feature } from './features.ts'
import admin from '../../modules/admin/index.ts'
import partners from '../../modules/partners/index.ts'
import customers from '../../modules/customers/index.ts'
import opportunities from '../../modules/opportunities/index.ts'
import cases from '../../modules/cases/index.ts'
import integrations from '../../modules/integrations/index.ts'
import webhooks from '../../modules/webhooks/index.ts'
import knowledge from '../../modules/knowledge/index.ts'
import forums from '../../modules/forums/index.ts'

/** The core modules, always on, in dependency order. Add-ons come from PORTAL_ADDONS. */
export const coreModules: Feature[] = [admin, partners, customers, opportunities, cases, integrations, webhooks, knowledge, forums]
