import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../lib/context.ts';
import { forbidden } from '../lib/errors.ts';
import { errorFields } from '../lib/logger.ts';
import { col, iso, queryRows } from '../lib/sql.ts';
import { flushOpsNow, SAMPLED_QUEUE } from './ops-rollup.ts';
import { dayRange, periods, weekOf } from './range.ts';
import { Role, type OpsView, type PlatformView, type QueueSeriesView } from './schemas.ts';

/*
 * The admin's view of the platform: registrations and payments from their per-day rollups,
 * the verification queue and content counts from small indexed reads, operations from the
 * per-minute rows the isolates flush (ops-rollup.ts). Cached briefly: nothing here needs to
 * be fresher than a minute.
 */

const TTL_SEC = 30;
export const PENDING_LIST_MAX = 20;
const ROLES = Role.options;

function requireAdmin(actor: Actor) {
  if (actor.role !== 'admin') throw forbidden('Only admins see the platform dashboard');
}

const RoleCount = z.object({ role: Role, n: z.number() });
const RoleDay = z.object({ day: z.string(), role: Role, n: z.number() });
const Count = z.object({ n: z.number() });
const PendingTeacher = z.object({ id: z.string(), name: z.string(), email: z.string(), created_at: col.ts });
/** The amounts are bigint columns: the driver returns them as strings. */
const PaymentDay = z.object({
  day: z.string(),
  currency: z.string(),
  succeeded: z.number(),
  succeeded_amount: col.num,
  refunded: z.number(),
  refunded_amount: col.num,
});
const ContentCounts = z.object({ courses: z.number(), published: z.number(), reviews: z.number(), hidden: z.number(), tests: z.number() });

export async function platformDashboard(
  ctx: Ctx,
  actor: Actor,
  q: { from?: string; to?: string; bucket?: 'day' | 'week' },
): Promise<PlatformView> {
  requireAdmin(actor);
  const range = dayRange(q, ctx.services.now());
  const bucket = q.bucket ?? 'day';
  return ctx.services.cache.getOrLoad({
    family: 'dashboard:admin',
    key: `dash:admin:${range.from}:${range.to}:${bucket}`,
    gens: [],
    ttlSec: TTL_SEC,
    load: async () => {
      const db = ctx.services.db.read;
      const [byRole, regs, [pending], oldest, pays, [content]] = await Promise.all([
        queryRows(db, sql`select role, sum(registrations)::int as n from registration_day_stats group by role`, RoleCount),
        queryRows(
          db,
          sql`select day::text as day, role, registrations as n from registration_day_stats
              where day between ${range.from}::date and ${range.to}::date`,
          RoleDay,
        ),
        queryRows(db, sql`select count(*)::int as n from users where role = 'teacher' and teacher_status = 'pending'`, Count),
        queryRows(
          db,
          sql`select id, name, email, created_at from users where role = 'teacher' and teacher_status = 'pending'
              order by created_at limit ${PENDING_LIST_MAX}`,
          PendingTeacher,
        ),
        queryRows(
          db,
          sql`select day::text as day, currency, succeeded, succeeded_amount, refunded, refunded_amount from payment_day_stats
              where day between ${range.from}::date and ${range.to}::date order by day, currency`,
          PaymentDay,
        ),
        queryRows(
          db,
          sql`select (select count(*) from courses)::int as courses,
                (select count(*) from courses where published)::int as published,
                (select coalesce(sum(reviews), 0) from course_day_stats)::int as reviews,
                (select count(*) from reviews where hidden)::int as hidden,
                (select count(*) from tests where published_version is not null)::int as tests`,
          ContentCounts,
        ),
      ]);
      const usersByRole = Object.fromEntries(
        ROLES.map((r) => [r, byRole.find((x) => x.role === r)?.n ?? 0]),
      ) as PlatformView['usersByRole'];
      const series = new Map(periods(range, bucket).map((p) => [p, { period: p, learner: 0, parent: 0, teacher: 0, admin: 0 }]));
      for (const r of regs) series.get(bucket === 'week' ? weekOf(r.day) : r.day)![r.role] += r.n;
      const payments = new Map<string, PlatformView['payments'][number]>();
      for (const p of pays) {
        const period = bucket === 'week' ? weekOf(p.day) : p.day;
        const key = `${period}|${p.currency}`;
        const acc = payments.get(key) ?? { period, currency: p.currency, succeeded: 0, volume: 0, refunded: 0, refundedAmount: 0 };
        acc.succeeded += p.succeeded;
        acc.volume += p.succeeded_amount;
        acc.refunded += p.refunded;
        acc.refundedAmount += p.refunded_amount;
        payments.set(key, acc);
      }
      return {
        from: range.from,
        to: range.to,
        bucket,
        usersByRole,
        registrations: [...series.values()],
        pendingTeachers: {
          count: pending?.n ?? 0,
          oldest: oldest.map((u) => ({ id: u.id, name: u.name, email: u.email, createdAt: iso(u.created_at)! })),
        },
        payments: [...payments.values()],
        content: {
          courses: content?.courses ?? 0,
          published: content?.published ?? 0,
          reviews: content?.reviews ?? 0,
          hiddenReviews: content?.hidden ?? 0,
          publishedTests: content?.tests ?? 0,
        },
      };
    },
  });
}

/** Sums of the bigint latency and wait columns are numeric: strings from the driver. */
const OpsPoint = z.object({
  at: col.ts,
  requests: z.number(),
  errors: z.number(),
  latency: col.num,
  p95: z.number(),
  limited: z.number(),
});
const OpsFamily = z.object({ family: z.string(), requests: z.number(), errors: z.number(), latency: col.num, p95: z.number() });
const CacheCounts = z.object({ hits: z.number(), misses: z.number() });
const QueuePoint = z.object({
  at: col.ts,
  queue: z.string(),
  depth: z.number().nullable(),
  age: z.number().nullable(),
  handled: z.number(),
  wait: col.num,
  dead: z.number(),
});

export async function opsDashboard(ctx: Ctx, actor: Actor, window: 'hour' | 'day'): Promise<OpsView> {
  requireAdmin(actor);
  // Best effort: a failed flush leaves the counts for the next one and the read goes on.
  await flushOpsNow(ctx.services.db).catch((err: unknown) => ctx.log.warn('ops rollup flush failed', errorFields(err)));
  const step = window === 'hour' ? 'minute' : 'hour';
  const now = ctx.services.now();
  const since = new Date(now.getTime() - (window === 'hour' ? 3_600_000 : 86_400_000)).toISOString();
  const db = ctx.services.db.read;
  const [points, families, [cache], queueRows] = await Promise.all([
    queryRows(
      db,
      sql`select date_trunc(${step}, minute) as at, sum(requests)::int as requests, sum(errors)::int as errors,
            sum(latency_ms_sum) as latency, max(p95_ms)::int as p95, sum(rate_limited)::int as limited
          from ops_minute_stats where minute >= ${since}::timestamptz and family <> '_cache'
          group by 1 order by 1`,
      OpsPoint,
    ),
    queryRows(
      db,
      sql`select family, sum(requests)::int as requests, sum(errors)::int as errors, sum(latency_ms_sum) as latency, max(p95_ms)::int as p95
          from ops_minute_stats where minute >= ${since}::timestamptz and family <> '_cache'
          group by family order by 2 desc`,
      OpsFamily,
    ),
    queryRows(
      db,
      sql`select coalesce(sum(cache_hits), 0)::int as hits, coalesce(sum(cache_misses), 0)::int as misses
          from ops_minute_stats where minute >= ${since}::timestamptz and family = '_cache'`,
      CacheCounts,
    ),
    queryRows(
      db,
      sql`select date_trunc(${step}, minute) as at, queue, max(depth)::int as depth, max(oldest_age_sec)::int as age,
            sum(handled)::int as handled, sum(wait_ms_sum) as wait, sum(dead_lettered)::int as dead
          from queue_minute_stats where minute >= ${since}::timestamptz
          group by 1, 2 order by 2, 1`,
      QueuePoint,
    ),
  ]);
  // The sampled queue is always shown (its backlog is known even when empty); others once they had traffic.
  const queues = new Map<string, QueueSeriesView>([
    [SAMPLED_QUEUE, { queue: SAMPLED_QUEUE, deadLetter: false, points: [], deadLettered: 0 }],
  ]);
  for (const q of queueRows) {
    let series = queues.get(q.queue);
    if (!series) queues.set(q.queue, (series = { queue: q.queue, deadLetter: /-dlq$/.test(q.queue), points: [], deadLettered: 0 }));
    series.deadLettered += q.dead;
    series.points.push({
      at: iso(q.at)!,
      depth: q.depth,
      oldestAgeSec: q.age,
      handled: q.handled,
      meanWaitMs: q.handled ? Math.round(q.wait / q.handled) : null,
      deadLettered: q.dead,
    });
  }
  const mean = (latency: number, n: number) => (n ? Math.round(latency / n) : null);
  const hits = cache?.hits ?? 0;
  const misses = cache?.misses ?? 0;
  return {
    window,
    step,
    total: points.map((p) => ({
      at: iso(p.at)!,
      requests: p.requests,
      errors: p.errors,
      errorRate: p.requests ? Math.round((p.errors / p.requests) * 10_000) / 10_000 : null,
      meanMs: mean(p.latency, p.requests),
      p95Ms: p.p95,
      rateLimited: p.limited,
    })),
    families: families.map((f) => ({
      family: f.family,
      requests: f.requests,
      errors: f.errors,
      p95Ms: f.p95,
      meanMs: mean(f.latency, f.requests),
    })),
    cache: { hits, misses, hitRate: hits + misses ? Math.round((hits / (hits + misses)) * 10_000) / 10_000 : null },
    queues: [...queues.values()],
  };
}
