import { sql } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { firstNames, lastNames } from './seed-partners.ts'

export const accountsPerPartner = 100

const brands = sql.raw(`(array['Acme','Globex','Initech','Umbrella','Stark','Wayne','Hooli','Vandelay','Soylent','Tyrell','Cyberdyne','Wonka'])`)
const trades = sql.raw(`(array['Logistics','Health','Retail','Energy','Foods','Media','Finance','Labs','Motors','Travel'])`)

/**
 * 100 customer accounts per partner, owned by its users in turn, each with two contacts, the
 * first one primary (inserted before its contact: the generator defers foreign-key checks).
 * The temporary table bench_accounts lets opportunities draw an account.
 */
export async function seedCustomers(conn: Db): Promise<void> {
  await sql`create temp table bench_accounts as
    select p.idx as p_idx, a as a_no, gen_random_uuid() as id, gen_random_uuid() as contact_id,
      ${brands}[1 + a % 12] || ' ' || ${trades}[1 + (a * 7 + p.idx) % 10] || ' ' || p.idx || '-' || a as base_name,
      lower(${brands}[1 + a % 12]) || '-' || p.idx || '-' || a || '.example' as domain
    from bench_partners p, generate_series(1, ${sql.lit(accountsPerPartner)}) a`.execute(conn)
  await sql`analyze bench_accounts`.execute(conn)

  await sql`insert into customer_accounts (id, primary_contact_id, partner_id, owner_id, name, name_key, domain, website, city, country, industry, created_at, updated_at)
    select a.id, a.contact_id, p.id, u.id, a.base_name || ' Inc', lower(replace(a.base_name, '-', ' ')), a.domain, 'https://www.' || a.domain,
      'Town ' || a.a_no % 41, case when a.a_no % 5 = 0 then p.second_country else p.country end,
      (array['Manufacturing','Retail','Healthcare','Finance','Public sector','Education'])[1 + a.a_no % 6],
      now() - ((a.a_no * 7 + a.p_idx) % 700) * interval '1 day', now() - (a.a_no % 60) * interval '1 day'
    from bench_accounts a join bench_partners p on p.idx = a.p_idx
    join bench_users u on u.p_idx = a.p_idx and u.u_no = a.a_no % (p.members + 1)`.execute(conn)

  await sql`insert into customer_contacts (id, partner_id, account_id, owner_id, first_name, last_name, email, phone, job_title, created_at)
    select case when c = 1 then a.contact_id else gen_random_uuid() end, ca.partner_id, a.id, ca.owner_id,
      ${firstNames}[1 + (a.a_no + c * 5) % 16], ${lastNames}[1 + (a.a_no * 3 + a.p_idx + c) % 16],
      'contact' || c || '@' || a.domain, '+1 555 ' || lpad(((a.a_no * 31 + c) % 10000)::text, 4, '0'),
      (array['CIO','IT manager','Buyer','CFO'])[1 + (a.a_no + c) % 4], ca.created_at
    from bench_accounts a join customer_accounts ca on ca.id = a.id, generate_series(1, 2) c`.execute(conn)
}
