/**
 * The catalog's "popular" order ranks by `courses.popularity`, a copy of the exact
 * `enrollment_count` refreshed here once a minute (the cron). The live counter is not indexed,
 * so an enrollment updates its course row in place (a HOT update, no index writes); the order
 * lags by about a minute, as cached list pages (60 s) do anyway.
 *
 * The copy is indexed, so refreshing a course rewrites all of its index entries (four GIN among
 * them): on the scale seed, 9,810 changed courses took 3.2 s and 122 MB of WAL in one statement,
 * which held all 9,810 row locks until it committed — every enrollment in one of those courses
 * waited for it. So the refresh reads the changed ids first (no locks), then moves them in small
 * transactions that skip rows an enrollment holds right now (those catch up on the next run):
 * an enrollment waits at most for one small batch, never for the whole refresh.
 */
import { sql } from 'drizzle-orm';
import type { HttpDb } from '../../db/client.ts';

/** Courses per transaction: ~70 ms of row locks on the scale seed (pages not yet in the WAL since the checkpoint). */
export const REFRESH_BATCH = 100;
/** A run stops starting batches after this long; the rest moves on the next minute's run. */
export const REFRESH_BUDGET_MS = 20_000;

/** Copies changed counters into the ranked column: `courses` moved now, `left` for the next run (locked, or past the budget). */
export async function refreshPopularity(db: HttpDb, now: () => number = Date.now): Promise<{ courses: number; left: number }> {
  const started = now();
  const { rows } = await db.execute<{ id: string }>(
    sql`select id from courses where popularity is distinct from enrollment_count order by abs(enrollment_count - popularity) desc`,
  );
  let moved = 0;
  let done = 0;
  while (done < rows.length && now() - started < REFRESH_BUDGET_MS) {
    const ids = rows.slice(done, done + REFRESH_BATCH).map((r) => r.id);
    const { rowCount } = await db.execute(sql`
      update courses c set popularity = c.enrollment_count
      from (select id from courses where id = any(${sql.param(ids)}::uuid[]) for update skip locked) free
      where c.id = free.id and c.popularity is distinct from c.enrollment_count`);
    moved += rowCount ?? 0;
    done += ids.length;
  }
  return { courses: moved, left: rows.length - moved };
}
