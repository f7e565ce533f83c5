import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'

/**
 * The PostgreSQL extensions the migrations create, loaded into every embedded database (PGlite
 * ships them as contrib modules that must be passed when it opens). A PostgreSQL server has them
 * in its contrib package.
 */
export const pgliteExtensions = { pg_trgm }
