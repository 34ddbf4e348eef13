/**
 * The paginated reads must be served in order by an index: with sorting disabled in the
 * planner (it then costs 10^10), a plan that still sorts has no index giving its ORDER BY.
 * This caught every `DESC` index declared NULLS LAST while the queries said `DESC` (NULLS
 * FIRST): a 100,000-course catalog sorted all published rows for each page.
 *
 * The statements are the ones the domain operations really send (captured from Drizzle),
 * explained with their own parameters in one HTTP transaction so `set local` applies.
 */
import { neon } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import { categories } from './schema/index.ts';
import { createCourse } from '../tests/support/catalog.ts';
import { testCtx } from '../tests/support/ctx.ts';
import { enroll, enrolledLearner, expectStatus, review } from '../tests/support/learning.ts';
import { registerUser, testDb, vars, verifiedTeacher } from '../tests/support/users.ts';
import { listCourses, type ListQuery } from '../workers/catalog/browse.ts';
import { gens } from '../workers/catalog/invalidation.ts';
import { listNotifications } from '../workers/notifications/inbox.ts';
import { listFavorites } from '../workers/learning/favorites.ts';
import { listMyLearning } from '../workers/learning/my-learning.ts';
import { listReviewsForModeration, type ModerationStatus } from '../workers/reviews/reviews.ts';
import type { Ctx } from '../workers/lib/context.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

/** Runs `op`, and explains the last statement it sent with sorting disabled. */
async function planOf(op: (ctx: Ctx) => Promise<unknown>): Promise<{ sql: string; nodes: PlanNode[] }> {
  const sent: { sql: string; params: unknown[] }[] = [];
  const ctx = testCtx({ onQuery: (sql, params) => sent.push({ sql, params }) });
  await op(ctx);
  const last = sent.at(-1)!;
  testDb(); // points the driver at the local endpoints
  const client = neon(vars.DATABASE_URL!);
  const [, rows] = await client.transaction([
    client.query('set local enable_sort = off'),
    client.query(`explain (format json) ${last.sql}`, last.params as never[]),
  ]);
  const plan = (rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[])[0]!['QUERY PLAN'][0]!.Plan;
  return { sql: last.sql, nodes: walk(plan) };
}

function expectIndexOrdered(p: { sql: string; nodes: PlanNode[] }) {
  const types = p.nodes.map((n) => n['Node Type']);
  expect(types, p.sql).not.toContain('Sort');
  expect(
    types.some((t) => t === 'Index Scan' || t === 'Index Only Scan'),
    `${p.sql}\n${types.join(' > ')}`,
  ).toBe(true);
}

describe('paginated reads are ordered by an index, never sorted', () => {
  it('the catalog list, plain and with each filter, first page and next page', async () => {
    await testDb()
      .db.insert(categories)
      .values({ slug: 'plans-cat', title: { en: 'Plans' } })
      .onConflictDoNothing();
    const t = await verifiedTeacher();
    for (let i = 0; i < 3; i++) await createCourse(t, {});
    const variants: Partial<ListQuery>[] = [{}, { category: 'plans-cat' }, { level: 'beginner' }, { language: 'kk' }, { featured: true }];
    for (const filters of variants) {
      const list = async (ctx: Ctx, cursor?: string) => {
        await ctx.services.cache.bump(gens.catalog); // a miss, so the statement is sent
        return listCourses(ctx, { lang: 'ru', limit: 1, ...filters, cursor });
      };
      expectIndexOrdered(await planOf((ctx) => list(ctx)));
      const first = await listCourses(testCtx(), { lang: 'ru', limit: 1 });
      if (first.nextCursor) expectIndexOrdered(await planOf((ctx) => list(ctx, first.nextCursor!)));
    }
  });

  it("a user's notifications, favorites and enrolled courses", async () => {
    const u = await registerUser();
    const actor = { id: u.id, role: 'learner' as const, sessionId: 'plans' };
    expectIndexOrdered(await planOf((ctx) => listNotifications(ctx, actor, { limit: 20 })));
    expectIndexOrdered(await planOf((ctx) => listFavorites(ctx, actor, { lang: 'en', limit: 20 })));
    const myLearning = await planOf((ctx) => listMyLearning(ctx, actor, { lang: 'en', limit: 20 }));
    // Its per-course progress subplans may order a course's few lessons; the page itself
    // must come from the enrollments index in order.
    expect(
      myLearning.nodes.map((n) => n['Index Name']),
      myLearning.sql,
    ).toContain('enrollments_user_created_idx');
    expect(myLearning.nodes[1]?.['Node Type'], myLearning.sql).not.toBe('Sort');
  });

  it('the moderation list of all reviews, with each status filter, first page and next page', async () => {
    const { learner, course } = await enrolledLearner();
    const other = await registerUser();
    await expectStatus(enroll(other, course.id), 201);
    for (const u of [learner, other]) await expectStatus(review(u, course.id, { rating: 5 }), 201);
    const admin = { id: crypto.randomUUID(), role: 'admin' as const, sessionId: 'plans' };
    const first = await listReviewsForModeration(testCtx(), admin, { status: 'all', lang: 'en', limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    for (const status of ['all', 'visible', 'hidden'] as ModerationStatus[]) {
      for (const cursor of [undefined, first.nextCursor!]) {
        const p = await planOf((ctx) => listReviewsForModeration(ctx, admin, { status, lang: 'en', limit: 20, cursor }));
        expectIndexOrdered(p);
        expect(
          p.nodes.some((n) => n['Index Name']?.startsWith('reviews_') && n['Index Name'].includes('created')),
          p.sql,
        ).toBe(true);
      }
    }
  });
});
