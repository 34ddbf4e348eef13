/**
 * The catalog's "popular" order ranks by `courses.popularity`, a copy of the exact
 * `enrollment_count` refreshed here once a minute (the cron). The live counter is not indexed,
 * so an enrollment updates its course row in place (a HOT update, no index writes); the order
 * lags by at most a minute, as cached list pages (60 s) do anyway.
 */
import { sql } from 'drizzle-orm';
import type { HttpDb } from '../../db/client.ts';

/** Copies changed counters into the ranked column; returns how many courses moved. */
export async function refreshPopularity(db: HttpDb): Promise<{ courses: number }> {
  const { rowCount } = await db.execute(
    sql`update courses set popularity = enrollment_count where popularity is distinct from enrollment_count`,
  );
  return { courses: rowCount ?? 0 };
}
