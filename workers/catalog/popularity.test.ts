import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enrolledLearner } from '../../tests/support/learning.ts';
import { testDb } from '../../tests/support/users.ts';
import { REFRESH_BUDGET_MS, refreshPopularity } from './popularity.ts';

const counters = async (id: string) =>
  (
    await testDb().db.execute<{ enrollment_count: number; popularity: number }>(
      sql`select enrollment_count, popularity from courses where id = ${id}`,
    )
  ).rows[0];

describe('the popular order', () => {
  it('follows the exact enrollment counter once the cron has refreshed it', async () => {
    const { course } = await enrolledLearner();
    // The enrollment counts at once; the ranked copy waits for the refresh (not asserted as 0 here:
    // another test file may run a refresh, which is global, at the same time).
    expect((await counters(course.id))?.enrollment_count).toBe(1);
    const { courses } = await refreshPopularity(testDb().db);
    expect(courses).toBeGreaterThanOrEqual(1);
    expect(await counters(course.id)).toEqual({ enrollment_count: 1, popularity: 1 });
    // Nothing changed since: nothing rewritten for this course.
    await refreshPopularity(testDb().db);
    expect(await counters(course.id)).toEqual({ enrollment_count: 1, popularity: 1 });
  });

  it('never waits for a course an enrollment holds: that one moves on the next run', async () => {
    const { course } = await enrolledLearner();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // An enrollment of this course in progress: its row locked, as the counter update locks it.
    const holder = testDb().transaction(async (tx) => {
      await tx.execute(sql`select 1 from courses where id = ${course.id} for update`);
      locked();
      await held;
    });
    await isLocked;
    try {
      const refresh = refreshPopularity(testDb().db);
      const outcome = await Promise.race([refresh.then(() => 'done'), new Promise((r) => setTimeout(r, 3_000, 'waited'))]);
      expect(outcome).toBe('done');
      expect(await counters(course.id)).toEqual({ enrollment_count: 1, popularity: 0 });
    } finally {
      release();
      await holder;
    }
    await refreshPopularity(testDb().db);
    expect(await counters(course.id)).toEqual({ enrollment_count: 1, popularity: 1 });
  });

  it('stops starting batches past its time budget, leaving the rest for the next run', async () => {
    const { course } = await enrolledLearner();
    let t = 0;
    // The clock jumps past the budget as soon as the changed ids are read.
    const clock = () => (t++ === 0 ? 0 : REFRESH_BUDGET_MS + 1);
    const { courses, left } = await refreshPopularity(testDb().db, clock);
    expect(courses).toBe(0);
    // (This course is among them unless another file's refresh, which is global, moved it first.)
    expect(left).toBeGreaterThanOrEqual(1);
    expect((await counters(course.id))?.enrollment_count).toBe(1);
  });

  it('no index of courses covers the live counter, so an enrollment updates its course in place (HOT)', async () => {
    const { rows } = await testDb().db.execute<{ def: string }>(
      sql`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'courses'::regclass`,
    );
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter((r) => r.def.includes('enrollment_count')).map((r) => r.def)).toEqual([]);
  });
});
