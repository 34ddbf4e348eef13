import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { HttpDb } from '../../db/client.ts';

/** Rows of one raw statement (CTEs that write several tables at once). */
export async function queryRows<T extends object>(db: HttpDb, query: SQL): Promise<T[]> {
  return (await db.execute<Record<string, unknown>>(query)).rows as T[];
}

export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/**
 * A timestamp as Postgres prints it (microseconds and offset included), for keyset cursors:
 * a JS Date keeps only milliseconds, and rows created within the same millisecond would be
 * skipped between pages.
 */
export const exactTs = (column: AnyColumn | SQL) => sql<string>`${column}::text`;
