import type { Feature } from './features.ts'
import admin from '../modules/admin/index.ts'

/** The core modules, always on, in dependency order. Add-ons come from PORTAL_ADDONS. */
export const coreModules: Feature[] = [admin]
