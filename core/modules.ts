import type { Feature } from './features.ts'
import admin from '../modules/admin/index.ts'
import partners from '../modules/partners/index.ts'

/** The core modules, always on, in dependency order. Add-ons come from PORTAL_ADDONS. */
export const coreModules: Feature[] = [admin, partners]
