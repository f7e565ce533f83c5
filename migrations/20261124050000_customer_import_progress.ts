import { sql, type Kysely } from 'kysely'

/**
 * A CSV import runs as jobs, one chunk of rows each, every chunk committed with its progress. The
 * parsed file waits in `records` until every row is checked; each checked row waits in
 * customer_import_lines until it is imported. (Appending each chunk's rows to one jsonb value
 * rewrote the whole value every time: 9 s of a 50,000-row check went into that alone.) Accounts
 * and contacts keep the import that added them, so a failed import can take them back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('customer_import_lines')
    .addColumn('import_id', 'uuid', (c) => c.notNull().references('customer_imports.id').onDelete('cascade'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('fields', 'jsonb')
    .addColumn('errors', 'jsonb')
    .addPrimaryKeyConstraint('customer_import_lines_pkey', ['import_id', 'line'])
    .execute()

  await db.schema.alterTable('customer_imports')
    .addColumn('records', 'jsonb')
    .addColumn('checked_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('valid_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure', 'text')
    .execute()

  // Imports made so far were checked at upload; a queued one waits for its job, which now runs it in chunks.
  await sql`
    update customer_imports i set checked_rows = total_rows,
      valid_rows = total_rows - (select count(distinct e->>'line') from jsonb_array_elements(i.errors) e)`.execute(db)
  await sql`update customer_imports set imported_rows = valid_rows where status = 'done'`.execute(db)
  await sql`
    insert into customer_import_lines (import_id, line, fields)
    select i.id, (r->>'line')::int, r - 'line' from customer_imports i cross join jsonb_array_elements(i.rows) r
    where i.status in ('preview', 'queued')`.execute(db)
  await sql`
    insert into customer_import_lines (import_id, line, errors)
    select i.id, (e->>'line')::int, jsonb_agg(e - 'line' order by n) from customer_imports i
      cross join jsonb_array_elements(i.errors) with ordinality as x(e, n)
    where i.status = 'preview' group by i.id, (e->>'line')::int`.execute(db)
  await db.schema.alterTable('customer_imports').dropConstraint('customer_imports_status_check').execute()
  await sql`
    update customer_imports set status = 'importing' where status = 'queued'`.execute(db)
  await db.schema.alterTable('customer_imports')
    .addCheckConstraint('customer_imports_status_check', sql`status in ('checking', 'preview', 'importing', 'done', 'failed')`)
    .execute()
  await db.schema.alterTable('customer_imports').alterColumn('status', (c) => c.setDefault('checking')).execute()
  await db.schema.alterTable('customer_imports').dropColumn('rows').dropColumn('errors').execute()

  for (const table of ['customer_accounts', 'customer_contacts']) {
    await db.schema.alterTable(table)
      .addColumn('import_id', 'uuid', (c) => c.references('customer_imports.id').onDelete('set null'))
      .execute()
    await db.schema.createIndex(`${table}_import_idx`).on(table).column('import_id').where(sql.ref('import_id'), 'is not', null).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['customer_contacts', 'customer_accounts']) {
    await db.schema.dropIndex(`${table}_import_idx`).execute()
    await db.schema.alterTable(table).dropColumn('import_id').execute()
  }
  await db.schema.alterTable('customer_imports')
    .addColumn('rows', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute()
  await sql`
    update customer_imports i set
      rows = coalesce((select jsonb_agg(l.fields || jsonb_build_object('line', l.line) order by l.line)
        from customer_import_lines l where l.import_id = i.id and l.fields is not null), '[]'),
      errors = coalesce((select jsonb_agg(e || jsonb_build_object('line', l.line) order by l.line)
        from customer_import_lines l cross join jsonb_array_elements(l.errors) e where l.import_id = i.id), '[]')`.execute(db)
  await db.schema.alterTable('customer_imports').dropConstraint('customer_imports_status_check').execute()
  // The earlier schema has no place for a file still being checked or an import that failed.
  await db.deleteFrom('customer_imports').where('status', 'in', ['checking', 'failed']).execute()
  await db.updateTable('customer_imports').set({ status: 'queued' }).where('status', '=', 'importing').execute()
  await db.schema.alterTable('customer_imports')
    .addCheckConstraint('customer_imports_status_check', sql`status in ('preview', 'queued', 'done')`)
    .execute()
  await db.schema.alterTable('customer_imports').alterColumn('status', (c) => c.setDefault('preview')).execute()
  for (const column of ['rows', 'errors']) {
    await db.schema.alterTable('customer_imports').alterColumn(column, (c) => c.dropDefault()).execute()
  }
  await db.schema.alterTable('customer_imports')
    .dropColumn('records').dropColumn('checked_rows').dropColumn('valid_rows').dropColumn('imported_rows')
    .dropColumn('failure')
    .execute()
  await db.schema.dropTable('customer_import_lines').execute()
}
