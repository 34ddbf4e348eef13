import { and, asc, eq, sql } from 'drizzle-orm';
import {
  tests,
  testDailyStats,
  testScoreDistribution,
  testVersions,
  type LocalizedText,
  type TestDocument,
} from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { notFound } from '../lib/errors.ts';

/**
 * Teacher statistics per test, read from materialized views that the cron refreshes
 * (REFRESH ... CONCURRENTLY, so readers are never blocked); a request never aggregates
 * attempts itself. Numbers are as fresh as the last refresh (`refreshedAt`).
 */
export interface TestStatsView {
  testId: string;
  kind: TestDocument['kind'];
  refreshedAt: string | null;
  attempts: number;
  completions: number;
  /** Quizzes: mean score (0–1) and share of completions that passed. */
  averageScore: number | null;
  passRate: number | null;
  perDay: { day: string; attempts: number; completions: number }[];
  /** Quizzes: completions per tenth of the score range. */
  scoreDistribution: { from: number; to: number; count: number }[];
  /** Per scale of the published (else latest) version: mean score and results per band. */
  scales: {
    key: string;
    title: LocalizedText;
    results: number;
    averageScore: number | null;
    bands: { index: number; label: LocalizedText | null; count: number }[];
  }[];
}

const VIEWS = ['test_daily_stats', 'test_score_distribution'] as const;

export async function refreshStats(ctx: Ctx): Promise<void> {
  for (const view of VIEWS) {
    await ctx.services.db.db.execute(sql.raw(`refresh materialized view concurrently ${view}`));
  }
}

export async function getTestStats(ctx: Ctx, actor: Actor, testId: string): Promise<TestStatsView> {
  if (!isId(testId)) throw notFound('Test');
  const db = ctx.services.db.db;
  const owner = actor.role === 'admin' ? eq(tests.id, testId) : and(eq(tests.id, testId), eq(tests.authorId, actor.id));
  const [testRows, days, dist] = await db.batch([
    db
      .select({ kind: tests.kind, document: testVersions.document })
      .from(tests)
      .innerJoin(
        testVersions,
        and(eq(testVersions.testId, tests.id), eq(testVersions.version, sql`coalesce(${tests.publishedVersion}, ${tests.latestVersion})`)),
      )
      .where(owner)
      .limit(1),
    db
      .select()
      .from(testDailyStats)
      .where(sql`${testDailyStats.testId} = ${testId} and exists (select 1 from ${tests} where ${owner})`)
      .orderBy(asc(testDailyStats.day)),
    db
      .select()
      .from(testScoreDistribution)
      .where(sql`${testScoreDistribution.testId} = ${testId} and exists (select 1 from ${tests} where ${owner})`)
      .orderBy(asc(testScoreDistribution.scaleKey), asc(testScoreDistribution.bucket)),
  ]);
  const test = testRows[0];
  if (!test) throw notFound('Test');

  const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + f(d), 0);
  const completions = sum((d) => d.completions);
  const scored = sum((d) => d.scored);
  const quiz = test.kind === 'quiz';

  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: 0 }));
  for (const d of dist) if (d.scaleKey === '' && d.bucket >= 0 && d.bucket < 10) buckets[d.bucket]!.count += d.results;

  const scales = test.document.scales.map((scale) => {
    const rows = dist.filter((d) => d.scaleKey === scale.key);
    const n = rows.reduce((s, r) => s + r.results, 0);
    const total = rows.reduce((s, r) => s + r.scoreSum, 0);
    return {
      key: scale.key,
      title: scale.title,
      results: n,
      averageScore: n ? total / n : null,
      bands: rows.map((r) => ({ index: r.bucket, label: r.bucket >= 0 ? (scale.bands[r.bucket]?.label ?? null) : null, count: r.results })),
    };
  });

  return {
    testId,
    kind: test.kind,
    refreshedAt: days.reduce<Date | null>((m, d) => (!m || d.refreshedAt > m ? d.refreshedAt : m), null)?.toISOString() ?? null,
    attempts: sum((d) => d.attempts),
    completions,
    averageScore: quiz && scored ? sum((d) => d.scoreSum ?? 0) / scored : null,
    passRate: quiz && completions ? sum((d) => d.passed) / completions : null,
    perDay: days.map((d) => ({ day: d.day, attempts: d.attempts, completions: d.completions })),
    scoreDistribution: quiz ? buckets : [],
    scales,
  };
}
