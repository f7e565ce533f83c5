import type { ColumnType, Generated, Selectable, Updateable } from 'kysely'

export type PartnerStatus = 'applied' | 'active' | 'suspended' | 'rejected'
export type ApplicationStatus = 'pending' | 'approved' | 'rejected'
/** The orders the staff's list of applications offers. */
export type ApplicationSort = 'newest' | 'oldest' | 'company'
type TextArray = ColumnType<string[], string[] | undefined, string[]>

export interface PartnerLevelsTable {
  id: Generated<string>
  name: string
  rank: number
  benefits: Generated<string>
  created_at: Generated<Date>
}

export interface ProgramSettingsTable {
  id: number
  headline: string
  intro: string
  expertise_options: TextArray
  updated_at: Generated<Date>
}

export interface PartnersTable {
  id: Generated<string>
  name: string
  domain: string | null
  website: string | null
  phone: string | null
  address: string | null
  city: string | null
  postal_code: string | null
  country: string
  territories: TextArray
  expertise: TextArray
  company_size: string | null
  level_id: string | null
  status: Generated<PartnerStatus>
  capacity: Generated<number>
  listed: Generated<boolean>
  summary: string | null
  approved_at: Date | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface PartnerApplicationsTable {
  id: Generated<string>
  partner_id: string
  applicant_id: string
  status: Generated<ApplicationStatus>
  possible_duplicate: Generated<boolean>
  submitted_at: Generated<Date>
  decided_at: Date | null
  decided_by: string | null
  rejection_reason: string | null
}

export interface PartnerNotesTable {
  id: Generated<string>
  partner_id: string
  author_id: string | null
  author_name: string
  body: string
  created_at: Generated<Date>
}

export type PartnerRow = Selectable<PartnersTable>
export type PartnerUpdate = Updateable<PartnersTable>
export type LevelRow = Selectable<PartnerLevelsTable>
export type ApplicationRow = Selectable<PartnerApplicationsTable>
export type NoteRow = Selectable<PartnerNotesTable>
export type ProgramRow = Selectable<ProgramSettingsTable>

declare module '../../core/data/database.ts' {
  interface Database {
    partner_levels: PartnerLevelsTable
    program_settings: ProgramSettingsTable
    partners: PartnersTable
    partner_applications: PartnerApplicationsTable
    partner_notes: PartnerNotesTable
  }
}
