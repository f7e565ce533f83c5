import { sql, type RawBuilder } from 'kysely'

/**
 * What the staff's applications page reads besides its list, each a value for the page loader, so
 * they go to the database together: applications per week, pending ones by country, the countries
 * partners are in and serve (the filters offer only these), and the program's expertise options.
 */
export const recruitmentPage = {
  /** Applications submitted per week over the last `weeks` weeks, oldest first, empty weeks included. */
  weekly: (weeks: number): RawBuilder<Array<{ week: string; count: number }>> => sql`select array(select row_to_json(x) from (
    select w.week, count(a.id)::int as count
    from generate_series(date_trunc('week', now()) - make_interval(weeks => ${weeks - 1}), date_trunc('week', now()), interval '1 week') as w(week)
    left join partner_applications a on date_trunc('week', a.submitted_at) = w.week
    group by w.week order by w.week) x)`,
  byCountry: (): RawBuilder<Array<{ country: string; count: number }>> => sql`select array(select row_to_json(x) from (
    select p.country, count(*)::int as count from partner_applications a join partners p on p.id = a.partner_id
    where a.status = 'pending' group by p.country order by count desc limit 8) x)`,
  countriesInUse: (): RawBuilder<{ countries: string[]; territories: string[] }> => sql`select json_build_object(
    'countries', coalesce((select array_agg(distinct country) from partners), '{}'),
    'territories', coalesce((select array_agg(distinct t) from partners, unnest(territories) t), '{}'))`,
  expertiseOptions: (): RawBuilder<string[]> => sql`select to_json(expertise_options) from program_settings where id = 1`
}
