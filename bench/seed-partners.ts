import { sql } from 'kysely'
import type { StoredPermissions } from '../core/identity/access.ts'
import type { Db } from '../core/data/database.ts'
import { benchPartner } from './bench-partner.ts'

const countries = sql.raw(`(array['US','CA','GB','IE','DE','FR','NL','ES','IT','SE','AU','JP','BR','MX','IN','PL','CH','AT','BE','DK'])`)
const expertise = sql.raw(`(array['Implementation','Consulting','Managed services','Training','Integration','Support','Resale'])`)
export const firstNames = sql.raw(`(array['Ada','Ben','Cleo','Dan','Eva','Finn','Gia','Hugo','Iris','Jon','Kim','Leo','Mia','Noah','Olga','Paul'])`)
export const lastNames = sql.raw(`(array['Adams','Baker','Chen','Diaz','Evans','Fischer','Garcia','Hansen','Ito','Jones','Kowalski','Lopez','Meyer','Novak','Olsen','Patel'])`)

// Stored as the team page stores them; the areas left out take their defaults.
const ownMember: StoredPermissions = { acceptOffers: true }
const companyMember: StoredPermissions = { opportunities: { scope: 'company' }, acceptOffers: true }

/**
 * Levels, 1,000 partners (index 1 is the bench partner) with 1 to 5 users each, their approved
 * applications and three staff. The temporary tables bench_partners and bench_users map the
 * indexes the later steps draw to the generated ids.
 */
export async function seedPartners(conn: Db, passwordHash: string): Promise<void> {
  await sql`insert into partner_levels (name, rank, benefits) values
    ('Registered', 1, 'Deal registration and the partner portal.'), ('Silver', 2, 'Distributed leads.'),
    ('Gold', 3, 'Priority leads and co-marketing funds.'), ('Platinum', 4, 'Joint account planning.')`.execute(conn)

  await sql`insert into users (email, name, password_hash, kind, role, permissions)
    select 'staff' || n || '@portal.example', 'Staff Member ' || n, ${passwordHash}, 'staff', case when n = 1 then 'admin' else 'member' end, '{}'
    from generate_series(1, 3) n`.execute(conn)

  await sql`create temp table bench_partners as
    select idx, gen_random_uuid() as id,
      case when idx = 1 then 4 else idx % 5 end as members,
      ${countries}[1 + idx % 20] as country, ${countries}[1 + (idx * 7 + 3) % 20] as second_country,
      case when idx = 1 then ${sql.lit(benchPartner.domain)} else 'partner' || idx || '.example' end as domain
    from generate_series(1, 1000) idx`.execute(conn)

  await sql`insert into partners (id, name, domain, website, city, country, territories, expertise, company_size, level_id,
      status, capacity, listed, summary, approved_at, created_at, updated_at)
    select p.id, case when p.idx = 1 then 'Bench Partner' else 'Partner ' || lpad(p.idx::text, 4, '0') || ' ' || (array['Solutions','Consulting','Systems','Group','Partners'])[1 + p.idx % 5] end,
      p.domain, 'https://' || p.domain, 'City ' || p.idx % 97, p.country,
      case when p.country = p.second_country then array[p.country] else array[p.country, p.second_country] end,
      array(select distinct e from unnest(array[${expertise}[1 + p.idx % 7], ${expertise}[1 + (p.idx * 3) % 7]]) e),
      (array['1-10','11-50','51-200','201-1000'])[1 + p.idx % 4], l.id,
      case when p.idx % 50 = 0 then 'suspended' else 'active' end, 10 + p.idx % 90, p.idx % 3 = 0,
      'A partner generated for the benchmark.', now() - (p.idx % 700 + 30) * interval '1 day' + interval '3 days',
      now() - (p.idx % 700 + 30) * interval '1 day', now() - (p.idx % 30) * interval '1 day'
    from bench_partners p join partner_levels l on l.rank = case when p.idx = 1 then 3 else 1 + p.idx % 4 end`.execute(conn)

  await sql`create temp table bench_users as
    select p.idx as p_idx, u as u_no, gen_random_uuid() as id,
      ${firstNames}[1 + (p.idx + u) % 16] || ' ' || ${lastNames}[1 + (p.idx * 3 + u * 5) % 16] as name
    from bench_partners p, generate_series(0, p.members) u`.execute(conn)
  await sql`analyze bench_partners, bench_users`.execute(conn)

  await sql`insert into users (id, email, name, password_hash, kind, role, partner_id, partner_status, permissions, job_title, last_sign_in_at, created_at)
    select u.id, case when p.idx = 1 and u.u_no = 0 then ${benchPartner.email} when u.u_no = 0 then 'admin@' || p.domain else 'user' || u.u_no || '@' || p.domain end,
      u.name, ${passwordHash}, 'partner', case when u.u_no = 0 then 'admin' else 'member' end, p.id, pa.status,
      case when u.u_no = 0 then '{}'::jsonb when u.u_no % 2 = 0 then ${JSON.stringify(companyMember)}::jsonb else ${JSON.stringify(ownMember)}::jsonb end,
      (array['Sales manager','Account executive','Consultant','Managing director'])[1 + u.u_no % 4], now() - (u.u_no * 3) * interval '1 hour', pa.created_at
    from bench_users u join bench_partners p on p.idx = u.p_idx join partners pa on pa.id = p.id`.execute(conn)

  await sql`insert into partner_applications (partner_id, applicant_id, status, submitted_at, decided_at, decided_by)
    select p.id, u.id, 'approved', pa.created_at, pa.approved_at, (select id from users where email = 'staff1@portal.example')
    from bench_partners p join bench_users u on u.p_idx = p.idx and u.u_no = 0 join partners pa on pa.id = p.id`.execute(conn)
}
