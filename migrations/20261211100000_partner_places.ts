import { sql, type Kysely } from 'kysely'

/**
 * The staff's partner list reads its first page from an index in its order (name, id) instead of
 * sorting every partner, and offers as filters only the countries partners are in and serve: those
 * were found per view by reading every partner and unnesting its territories (2 ms at a thousand
 * partners), and are now kept by a trigger as how many partners are in or serve each country.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index partners_name_idx on partners (name, id)`.execute(db)
  await sql`create table partner_places (
    kind text not null check (kind in ('country', 'territory')),
    code text not null,
    partners integer not null,
    primary key (kind, code))`.execute(db)

  await sql`create function partner_places_apply(p partners, sign integer) returns void language plpgsql as $$
    begin
      insert into partner_places as pp (kind, code, partners)
        select kind, code, sign from (
          select 'country' as kind, p.country as code where p.country is not null
          union all
          select distinct 'territory', t from unnest(p.territories) t where t is not null) x
        order by kind, code
      on conflict (kind, code) do update set partners = pp.partners + excluded.partners;
    end $$`.execute(db)
  await sql`create function partner_places() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then perform partner_places_apply(old, -1); end if;
      if tg_op <> 'DELETE' then perform partner_places_apply(new, 1); end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger partner_places_on_change after insert or delete on partners
    for each row execute function partner_places()`.execute(db)
  await sql`create trigger partner_places_on_update after update of country, territories on partners
    for each row when ((old.country, old.territories) is distinct from (new.country, new.territories))
    execute function partner_places()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair.
  await sql`create function partner_places_rebuild() returns void language plpgsql as $$
    begin
      lock table partners in share mode;
      delete from partner_places;
      insert into partner_places (kind, code, partners)
        select 'country', country, count(*) from partners where country is not null group by country
        union all
        select 'territory', t, count(distinct id) from partners, unnest(territories) t where t is not null group by t;
    end $$`.execute(db)
  await sql`select partner_places_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger partner_places_on_update on partners`.execute(db)
  await sql`drop trigger partner_places_on_change on partners`.execute(db)
  await sql`drop function partner_places()`.execute(db)
  await sql`drop function partner_places_apply(partners, integer)`.execute(db)
  await sql`drop function partner_places_rebuild()`.execute(db)
  await sql`drop table partner_places`.execute(db)
  await sql`drop index partners_name_idx`.execute(db)
}
