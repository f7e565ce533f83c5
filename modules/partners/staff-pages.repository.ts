import { sql, type RawBuilder } from 'kysely'

/**
 * What the staff's partner and application pages read, each a value for the page loader, so that a
 * page's values go to the database together: applications per week and pending ones by country,
 * the countries partners are in and serve (the filters offer only these), the levels and the
 * program's expertise options its forms and filters offer.
 */
export const staffPages = {
  /** Applications submitted per week over the last `weeks` weeks, oldest first, empty weeks included. */
  weekly: (weeks: number): RawBuilder<Array<{ week: string; count: number }>> => sql`select array(select row_to_json(x) from (
    select w.week, count(a.id)::int as count
    from generate_series(date_trunc('week', now()) - make_interval(weeks => ${weeks - 1}), date_trunc('week', now()), interval '1 week') as w(week)
    left join partner_applications a on date_trunc('week', a.submitted_at) = w.week
    group by w.week order by w.week) x)`,
  byCountry: (): RawBuilder<Array<{ country: string; count: number }>> => sql`select array(select row_to_json(x) from (
    select p.country, count(*)::int as count from partner_applications a join partners p on p.id = a.partner_id
    where a.status = 'pending' group by p.country order by count desc limit 8) x)`,
  /** From the counts a trigger keeps per country (partner_places), not from every partner. */
  countriesInUse: (): RawBuilder<{ countries: string[]; territories: string[] }> => sql`select json_build_object(
    'countries', array(select code from partner_places where kind = 'country' and partners > 0 order by code),
    'territories', array(select code from partner_places where kind = 'territory' and partners > 0 order by code))`,
  expertiseOptions: (): RawBuilder<string[]> => sql`select to_json(expertise_options) from program_settings where id = 1`,
  levels: (): RawBuilder<Array<{ id: string; name: string; rank: number }>> =>
    sql`select array(select row_to_json(x) from (select id, name, rank from partner_levels order by rank) x)`,
  /**
   * A partner's page as one value: the partner with its level's name, its people, its application
   * and the notes kept on it (times as ISO text); null if there is no such partner.
   */
  partner: (id: string): RawBuilder<PartnerPage | null> => sql`select json_build_object(
      'partner', row_to_json(p),
      'contacts', array(select row_to_json(u) from (select u.id, u.name, u.email, u.status, u.role, u.job_title, u.phone, u.totp_enabled_at
        from users u where u.partner_id = p.id order by u.name, u.id limit 500) u),
      'application', (select row_to_json(a) from (select pa.id, pa.status, pa.submitted_at from partner_applications pa where pa.partner_id = p.id) a),
      'notes', array(select row_to_json(n) from (select n.id, n.author_name, n.body, n.created_at from partner_notes n
        where n.partner_id = p.id order by n.created_at desc limit 100) n))
    from (select partners.*, l.name as level_name from partners left join partner_levels l on l.id = partners.level_id
      where partners.id = ${id}) p`,
  /**
   * An application's page as one value: the application, its company, the applicant, other partners
   * with its web domain and the notes kept on the company (times as ISO text); null if there is no
   * such application.
   */
  application: (id: string): RawBuilder<ApplicationPage | null> => sql`select json_build_object(
      'application', row_to_json(a), 'partner', row_to_json(p),
      'applicant', (select row_to_json(u) from (select u.name, u.email, u.job_title, u.phone from users u
        where u.id = a.applicant_id and u.partner_id = a.partner_id) u),
      'duplicates', array(select row_to_json(d) from (select d.id, d.name, d.status, d.domain, d.created_at from partners d
        where d.domain = p.domain and d.id <> p.id order by d.created_at limit 20) d),
      'notes', array(select row_to_json(n) from (select * from partner_notes n where n.partner_id = a.partner_id order by n.created_at desc limit 100) n))
    from (select pa.id, pa.status, pa.submitted_at, pa.decided_at, pa.rejection_reason, pa.possible_duplicate, pa.partner_id, pa.applicant_id,
        p.name as company, p.domain, decider.name as decided_by_name
      from partner_applications pa join partners p on p.id = pa.partner_id left join users decider on decider.id = pa.decided_by
      where pa.id = ${id}) a
    join lateral (select partners.*, l.name as level_name from partners left join partner_levels l on l.id = partners.level_id
      where partners.id = a.partner_id) p on true`
}

/** What a partner's page shows, as its value comes back: times as ISO text. */
export interface PartnerPage {
  partner: Record<string, unknown> & { id: string; name: string; level_id: string | null; territories: string[]; expertise: string[]; capacity: number }
  contacts: Array<{ id: string; name: string; email: string; status: string; role: string; job_title: string | null; phone: string | null; totp_enabled_at: string | null }>
  application: { id: string; status: string; submitted_at: string } | null
  notes: Array<{ id: string; author_name: string; body: string; created_at: string }>
}

/** What an application's page shows, as its value comes back: times as ISO text. */
export interface ApplicationPage {
  application: {
    id: string; status: string; submitted_at: string; decided_at: string | null; rejection_reason: string | null; possible_duplicate: boolean
    partner_id: string; applicant_id: string; company: string; domain: string | null; decided_by_name: string | null
  }
  partner: Record<string, unknown> & { id: string; name: string }
  applicant: { name: string; email: string; job_title: string | null; phone: string | null } | null
  duplicates: Array<{ id: string; name: string; status: string; domain: string | null; created_at: string }>
  notes: Array<{ id: string; author_name: string; body: string; created_at: string }>
}
