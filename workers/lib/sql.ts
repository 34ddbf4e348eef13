import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { HttpDb } from '../../db/client.ts';

/**
 * Rows of one raw statement (CTEs that write several tables at once), checked against `row`:
 * a zod schema of the statement's columns. A renamed column or a changed type fails here,
 * naming the field, instead of flowing on as a wrongly typed value. Raw rows come as the driver
 * parses them: timestamps as strings, numeric and bigint as strings, json as objects (with
 * timestamps inside as strings) — the column helpers below accept exactly that.
 */
export async function queryRows<S extends z.ZodType>(db: HttpDb, query: SQL, row: S): Promise<z.output<S>[]> {
  const { rows } = await db.execute<Record<string, unknown>>(query);
  return arrayOf(row).parse(rows) as z.output<S>[];
}

/** One array schema per row schema and isolate: building a zod schema per call is costlier than the parse. */
function arrayOf(row: z.ZodType): z.ZodArray<z.ZodType> {
  let array = arrays.get(row);
  if (!array) arrays.set(row, (array = z.array(row)));
  return array;
}
const arrays = new WeakMap<z.ZodType, z.ZodArray<z.ZodType>>();

/**
 * Rows of a raw statement on a hot path (lesson completion, My learning), typed by the caller
 * and NOT checked: parsing every row costs CPU the request path does not have. `T` must list
 * the statement's columns as the driver returns them; each use names its statement's shape
 * once, next to the SQL, and its tests cover the columns.
 */
export async function trustedRows<T extends object>(db: HttpDb, query: SQL): Promise<T[]> {
  return (await db.execute<Record<string, unknown>>(query)).rows as T[];
}

/** Column types of raw rows, as the driver returns them. */
export const col = {
  /** timestamptz: a string at the top level and inside json; a Date only from drizzle's own mapping. */
  ts: z.union([z.string(), z.date()]),
  /** numeric and bigint (count(*) without ::int) arrive as strings. */
  num: z.union([z.string(), z.number()]).transform(Number),
};

export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/**
 * A timestamp as Postgres prints it (microseconds and offset included), for keyset cursors:
 * a JS Date keeps only milliseconds, and rows created within the same millisecond would be
 * skipped between pages.
 */
export const exactTs = (column: AnyColumn | SQL) => sql<string>`${column}::text`;

/**
 * `column = value` as a check on a row already found by its primary key (`id = … and still
 * open`). Written `is not distinct from` (the same test on a NOT NULL column) because the
 * planner cannot prove a partial index's predicate from it: with `=`, a statement like
 * `where id = $1 and status = 'created'` may read the small partial index of open rows
 * (`… where status in ('created', 'pending')`) from end to end, fetching each entry's row to
 * compare its id — and after a VACUUM that found that index empty, the planner believes it is
 * empty whatever it holds now, so it always does. Under the enrollment + checkout bench one such
 * statement read 932 buffers per call instead of ~10 (db/partial-index-plan.test.ts).
 */
export const stateIs = (column: AnyColumn, value: string): SQL => sql`${column} is not distinct from ${value}`;
