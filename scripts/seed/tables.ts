/**
 * One seeder per table, in dependency order. Each is plain INSERT … SELECT over
 * generate_series with the pg_temp functions of sql.ts: Postgres generates the rows itself,
 * so nothing but a few numbers crosses the wire. A seeder whose table does not exist yet
 * (a domain not built) is skipped; adding a table means adding one entry to SEEDERS.
 */
import type pg from 'pg';
import { SEED_EMAIL_DOMAIN } from './accounts.ts';
import { roleRanges, type SeedPlan } from './plan.ts';
import { lit } from './sql.ts';
import { SUBJECTS } from './words.ts';

export interface SeedContext {
  /** A pooled connection with the pg_temp helpers of sql.ts. */
  connect(): Promise<pg.PoolClient>;
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  plan: SeedPlan;
  passwordHash: string;
  /** Connections used at once for batched tables (the machine's cores). */
  parallel: number;
  log(line: string): void;
  /** Course counters computed from the enrollment plan, by course number (1-based). */
  courseStats?: CourseStats;
  tableExists(name: string): Promise<boolean>;
}

export interface CourseStats {
  enrollments: Int32Array;
  ratingSum: Int32Array;
  ratingCount: Int32Array;
}

export interface TableSeeder {
  table: string;
  /** Other tables it needs besides its own. */
  needs?: string[];
  /** Rows it should produce under this plan (for the summary), when known up front. */
  expected?(plan: SeedPlan): number | undefined;
  run(ctx: SeedContext): Promise<number>;
}

/** Runs `fn` over 1..total in consecutive ranges, `parallel` at a time, each range in its own transaction. */
export async function inBatches(
  ctx: SeedContext,
  label: string,
  total: number,
  size: number,
  fn: (client: pg.PoolClient, lo: number, hi: number) => Promise<number>,
): Promise<number> {
  const ranges: [number, number][] = [];
  for (let lo = 1; lo <= total; lo += size) ranges.push([lo, Math.min(total, lo + size - 1)]);
  let next = 0;
  let inserted = 0;
  let done = 0;
  let lastReport = Date.now();
  const worker = async () => {
    const client = await ctx.connect();
    try {
      while (next < ranges.length) {
        const [lo, hi] = ranges[next++]!;
        // Parallel batches can deadlock in a trigger that inserts shared rows (the search
        // dictionary's words): Postgres aborts one side, which is safe to run again.
        for (let attempt = 1; ; attempt++) {
          await client.query('begin');
          try {
            const n = await fn(client, lo, hi);
            await client.query('commit');
            inserted += n;
            break;
          } catch (err) {
            await client.query('rollback').catch(() => {});
            if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
            await new Promise((r) => setTimeout(r, 50 * attempt * Math.random()));
          }
        }
        done++;
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          ctx.log(`  ${label}: ${done}/${ranges.length} batches`);
        }
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.parallel, ranges.length) }, worker));
  return inserted;
}

const rows = (r: pg.QueryResult) => r.rowCount ?? 0;

// ---------------------------------------------------------------------------------------------

const users: TableSeeder = {
  table: 'users',
  expected: (p) => p.users,
  async run(ctx) {
    const r = roleRanges(ctx.plan);
    const p = ctx.plan;
    return inBatches(ctx, 'users', p.users, 10_000, async (c, lo, hi) =>
      rows(
        await c.query(
          `insert into users (id, email, password_hash, name, language, role, teacher_status, teacher_reviewed_at, last_active_at, created_at, updated_at)
           select pg_temp.sid('user', n), x.role || '.' || (n - x.first + 1) || '@${SEED_EMAIL_DOMAIN}', $3,
                  pg_temp.first_name(pg_temp.h(n, 103) % 2 = 0, pg_temp.h(n, 104)) || ' ' || pg_temp.surname(pg_temp.h(n, 103) % 2 = 0, pg_temp.h(n, 105)),
                  pg_temp.u_lang(n)::language, x.role::role, x.status::teacher_status,
                  case when x.status in ('verified', 'rejected') then pg_temp.u_created(n) + interval '2 days' end,
                  case when pg_temp.h(n, 106) % 10 < 8 then greatest(pg_temp.u_created(n), pg_temp.at(n, 107)) end,
                  pg_temp.u_created(n), pg_temp.u_created(n)
           from generate_series($1::bigint, $2::bigint) n
           cross join lateral (
             select case when n < ${r.teacher} then 'admin' when n < ${r.parent} then 'teacher' when n < ${r.learner} then 'parent' else 'learner' end as role,
                    case when n < ${r.teacher} then ${r.admin} when n < ${r.parent} then ${r.teacher} when n < ${r.learner} then ${r.parent} else ${r.learner} end as first,
                    case when n < ${r.teacher} or n >= ${r.parent} then 'none'
                         when n - ${r.teacher} + 1 <= ${p.verifiedTeachers} then 'verified'
                         when (n - ${r.teacher}) % 3 = 0 then 'rejected' else 'pending' end as status
           ) x
           on conflict do nothing`,
          [lo, hi, ctx.passwordHash],
        ),
      ),
    );
  },
};

const children: TableSeeder = {
  table: 'children',
  needs: ['users'],
  async run(ctx) {
    // 40 % of parents have no child profile, 30 % one, 20 % two, 10 % three.
    return inBatches(ctx, 'children', ctx.plan.parents, 10_000, async (c, lo, hi) =>
      rows(
        await c.query(
          `insert into children (id, parent_id, name, birth_year, language, created_at, updated_at)
           select pg_temp.sid('child', k * 4 + j), pg_temp.sid('user', pg_temp.parent_user(k)),
                  pg_temp.first_name(pg_temp.h(k * 4 + j, 111) % 2 = 0, pg_temp.h(k * 4 + j, 112)) || ' ' ||
                    pg_temp.surname(pg_temp.h(k * 4 + j, 111) % 2 = 0, pg_temp.h(pg_temp.parent_user(k), 105)),
                  (2010 + pg_temp.h(k * 4 + j, 113) % 11)::int, pg_temp.u_lang(pg_temp.parent_user(k))::language,
                  pg_temp.u_created(pg_temp.parent_user(k)) + interval '1 day', pg_temp.u_created(pg_temp.parent_user(k)) + interval '1 day'
           from generate_series($1::bigint, $2::bigint) k
           cross join lateral generate_series(1, case when pg_temp.h(k, 110) % 10 < 4 then 0 when pg_temp.h(k, 110) % 10 < 7 then 1
                                                      when pg_temp.h(k, 110) % 10 < 9 then 2 else 3 end) j
           on conflict do nothing`,
          [lo, hi],
        ),
      ),
    );
  },
};

const courses: TableSeeder = {
  table: 'courses',
  needs: ['users', 'categories'],
  expected: (p) => p.courses,
  async run(ctx) {
    const stats = ctx.courseStats;
    return inBatches(ctx, 'courses', ctx.plan.courses, 5_000, async (c, lo, hi) => {
      // Counters agree with the enrollments and reviews seeded later (computed from the same plan).
      const slice = (a: Int32Array | undefined) => (a ? Array.from(a.subarray(lo, hi + 1)) : new Array<number>(hi - lo + 1).fill(0));
      return rows(
        await c.query(
          `insert into courses (id, teacher_id, category_id, title, description, language, level, tags, price_amount, currency,
                                published, published_at, featured, featured_rank, rating_sum, rating_count, rating_avg, enrollment_count,
                                popularity, created_at, updated_at)
           select pg_temp.sid('course', n), pg_temp.sid('user', pg_temp.c_teacher(n)), pg_temp.category(pg_temp.c_subject(n)),
                  pg_temp.localized(n, pg_temp.c_title(n, 'ru'), pg_temp.c_title(n, 'kk'), pg_temp.c_title(n, 'en')),
                  pg_temp.localized(n, pg_temp.c_description(n, 'ru'), pg_temp.c_description(n, 'kk'), pg_temp.c_description(n, 'en')),
                  pg_temp.c_lang(n)::language, (array['beginner', 'intermediate', 'advanced'])[pg_temp.c_level(n)]::course_level,
                  array[pg_temp.tag(pg_temp.c_subject(n), pg_temp.h(n, 18)), pg_temp.tag(pg_temp.c_subject(n), pg_temp.h(n, 18) + 1)],
                  pg_temp.c_price(n), 'KZT', pg_temp.c_published(n), pg_temp.c_published_at(n),
                  pg_temp.c_published(n) and pg_temp.h(n, 19) % 500 = 0, ((pg_temp.h(n, 19) / 500) % 100)::int,
                  s.rating_sum, s.rating_count, case when s.rating_count > 0 then round(s.rating_sum::numeric / s.rating_count, 2) else 0 end,
                  s.enrollments, s.enrollments, pg_temp.c_created(n), pg_temp.c_created(n)
           from generate_series($1::bigint, $2::bigint) n
           join unnest($3::int[], $4::int[], $5::int[]) with ordinality as s(enrollments, rating_sum, rating_count, i) on s.i = n - $1 + 1
           on conflict do nothing`,
          [lo, hi, slice(stats?.enrollments), slice(stats?.ratingSum), slice(stats?.ratingCount)],
        ),
      );
    });
  },
};

const modules: TableSeeder = {
  table: 'modules',
  needs: ['courses'],
  async run(ctx) {
    return inBatches(ctx, 'modules', ctx.plan.courses, 5_000, async (c, lo, hi) =>
      rows(
        await c.query(
          `insert into modules (id, course_id, title, position, created_at, updated_at)
           select pg_temp.sid('module', n * 8 + j), pg_temp.sid('course', n),
                  jsonb_build_object(pg_temp.c_lang(n),
                    case pg_temp.c_lang(n) when 'ru' then 'Модуль ' || j || '. ' when 'kk' then j || '-модуль. ' else 'Module ' || j || '. ' end ||
                    pg_temp.topicc(pg_temp.topic_off(pg_temp.c_subject(n))
                                   + (pg_temp.c_topic(n) - pg_temp.topic_off(pg_temp.c_subject(n)) + j - 1) % pg_temp.topic_cnt(pg_temp.c_subject(n)),
                                   pg_temp.c_lang(n))),
                  j, pg_temp.c_created(n), pg_temp.c_created(n)
           from generate_series($1::bigint, $2::bigint) n
           cross join lateral generate_series(1, pg_temp.c_modules(n)) j
           on conflict do nothing`,
          [lo, hi],
        ),
      ),
    );
  },
};

const lessons: TableSeeder = {
  table: 'lessons',
  needs: ['modules'],
  async run(ctx) {
    return inBatches(ctx, 'lessons', ctx.plan.courses, 2_500, async (c, lo, hi) =>
      rows(
        await c.query(
          `insert into lessons (id, module_id, course_id, title, body, body_html, video_url, preview, duration_min, position, created_at, updated_at)
           select pg_temp.sid('lesson', m * 8 + k), pg_temp.sid('module', m), pg_temp.sid('course', n),
                  jsonb_build_object(l, t.title),
                  jsonb_build_object(l, '## ' || t.title || E'\\n\\n' || pg_temp.line(1, l) || ' ' || t.topic || '. ' || pg_temp.line(2 + (pg_temp.h(m * 8 + k, 31) % 3)::int, l)),
                  jsonb_build_object(l, '<h2>' || t.title || '</h2><p>' || pg_temp.line(1, l) || ' ' || t.topic || '. ' || pg_temp.line(2 + (pg_temp.h(m * 8 + k, 31) % 3)::int, l) || '</p>'),
                  case when pg_temp.h(m * 8 + k, 30) % 10 < 3 then 'https://www.youtube.com/watch?v=' || substr(md5('video:' || (m * 8 + k)), 1, 11) end,
                  j = 1 and k = 1, (5 + pg_temp.h(m * 8 + k, 32) % 21)::int, k, pg_temp.c_created(n), pg_temp.c_created(n)
           from generate_series($1::bigint, $2::bigint) n
           cross join lateral generate_series(1, pg_temp.c_modules(n)) j
           cross join lateral (select n * 8 + j as m, pg_temp.c_lang(n) as l) x
           cross join lateral generate_series(1, pg_temp.m_lessons(n, j)) k
           cross join lateral (
             select pg_temp.topic(pg_temp.topic_off(pg_temp.c_subject(n))
                                  + (pg_temp.c_topic(n) - pg_temp.topic_off(pg_temp.c_subject(n)) + j - 1) % pg_temp.topic_cnt(pg_temp.c_subject(n)), l) as topic,
                    pg_temp.kind((1 + (j * 3 + k) % 7)::int, l) || ': ' ||
                    pg_temp.topic(pg_temp.topic_off(pg_temp.c_subject(n))
                                  + (pg_temp.c_topic(n) - pg_temp.topic_off(pg_temp.c_subject(n)) + j - 1) % pg_temp.topic_cnt(pg_temp.c_subject(n)), l) as title
           ) t
           on conflict do nothing`,
          [lo, hi],
        ),
      ),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Learning. The enrollment plan is a pure function too: candidate i picks a learner uniformly
// and a course with a popularity skew (u² puts ~30 % of enrollments on the top 10 % of
// courses), unpublished courses and repeated pairs are dropped, the first N remain.

/** SQL of the enrollment plan: (i, learner user number, course number, review?, rating). */
export function enrollmentPlanSql(p: SeedPlan): string {
  const candidates = Math.ceil(p.enrollments * 1.35);
  return `
    select i, u, c, pg_temp.h(i, 50) % 100 < ${Math.round(p.reviewShare * 100)} as reviewed,
           (case when pg_temp.h(i, 51) % 100 < 45 then 5 when pg_temp.h(i, 51) % 100 < 75 then 4 when pg_temp.h(i, 51) % 100 < 88 then 3
                 when pg_temp.h(i, 51) % 100 < 95 then 2 else 1 end)::int as rating
    from (
      select distinct on (u, c) i, u, c
      from (
        select i, pg_temp.learner_user(1 + pg_temp.h(i, 40) % ${p.learners}) as u,
               least(${p.courses}, 1 + floor(${p.courses} * power(pg_temp.h(i, 41)::float8 / 9223372036854775807, 2)))::bigint as c
        from generate_series(1, ${candidates}) i
      ) cand
      where pg_temp.c_published(c)
      order by u, c, i
    ) d
    order by i
    limit ${p.enrollments}`;
}

/** Enrollment date: after both the learner and the course existed, within 45 days. */
export const enrolledAt = `least(timestamptz '2026-11-01', greatest(pg_temp.u_created(p.u), pg_temp.c_published_at(p.c)) + make_interval(secs => pg_temp.h(p.i, 42) % (45 * 86400)))`;

const enrollments: TableSeeder = {
  table: 'enrollments',
  needs: ['courses', 'users'],
  expected: (p) => p.enrollments,
  async run(ctx) {
    const c = await ctx.connect();
    try {
      const r = await c.query(
        `insert into enrollments (id, user_id, course_id, status, completed_at, created_at, updated_at)
         select pg_temp.sid('enrollment', p.i), pg_temp.sid('user', p.u), pg_temp.sid('course', p.c),
                case when pg_temp.h(p.i, 43) % 100 < 15 then 'completed' else 'active' end::enrollment_status,
                case when pg_temp.h(p.i, 43) % 100 < 15 then ${enrolledAt} + interval '20 days' end,
                ${enrolledAt}, ${enrolledAt}
         from (${enrollmentPlanSql(ctx.plan)}) p
         on conflict do nothing`,
      );
      return rows(r);
    } finally {
      c.release();
    }
  },
};

/** One in-app notification per seeded enrollment (70 % already read). */
const notifications: TableSeeder = {
  table: 'notifications',
  needs: ['enrollments'],
  async run(ctx) {
    const c = await ctx.connect();
    try {
      const r = await c.query(
        `insert into notifications (id, user_id, kind, data, dedupe_key, read_at, created_at)
         select pg_temp.sid('notification', p.i), pg_temp.sid('user', p.u), 'enrollment',
                jsonb_build_object('courseId', pg_temp.sid('course', p.c), 'title', pg_temp.c_title(p.c, pg_temp.c_lang(p.c))),
                'enrollment:' || pg_temp.sid('enrollment', p.i),
                case when pg_temp.h(p.i, 60) % 10 < 7 then ${enrolledAt} + interval '1 hour' end,
                ${enrolledAt}
         from (${enrollmentPlanSql(ctx.plan)}) p
         on conflict do nothing`,
      );
      return rows(r);
    } finally {
      c.release();
    }
  },
};

/** Runs one statement over the enrollment plan on a helper-equipped connection. */
async function overPlan(ctx: SeedContext, sql: string): Promise<number> {
  const c = await ctx.connect();
  try {
    return rows(await c.query(sql));
  } finally {
    c.release();
  }
}

/**
 * Completed lessons, in curriculum order: all of them for completed enrollments (completion
 * is automatic at 100 %), a skewed share below 100 % for active ones (most learners stop early).
 * Lesson k of module j is number off(j) + k of the course, off(j) = lessons of modules before j.
 * Two halves (by learner) run on two connections.
 */
const lessonProgress: TableSeeder = {
  table: 'lesson_progress',
  needs: ['enrollments', 'lessons'],
  async run(ctx) {
    const half = (h: number) =>
      overPlan(
        ctx,
        `insert into lesson_progress (user_id, lesson_id, course_id, completed_at)
         select pg_temp.sid('user', p.u), pg_temp.sid('lesson', (p.c * 8 + mj.j) * 8 + k), pg_temp.sid('course', p.c),
                ${enrolledAt} + make_interval(hours => (mj.off + k)::int * 20)
         from (select q.*, floor(case when pg_temp.h(q.i, 43) % 100 < 15 then 1.0 else 0.95 * power((pg_temp.h(q.i, 44) % 100) / 100.0, 2) end
                                 * (select sum(pg_temp.m_lessons(q.c, jj)) from generate_series(1, pg_temp.c_modules(q.c)) jj)) as done
               from (${enrollmentPlanSql(ctx.plan)}) q
               where q.u % 2 = ${h}) p
         cross join lateral (
           select j, pg_temp.m_lessons(p.c, j) as n, sum(pg_temp.m_lessons(p.c, j)) over (order by j) - pg_temp.m_lessons(p.c, j) as off
           from generate_series(1, pg_temp.c_modules(p.c)) j) mj
         cross join lateral generate_series(1, mj.n) k
         where p.done > 0 and mj.off < p.done and mj.off + k <= p.done
         on conflict do nothing`,
      );
    const counts = await Promise.all([half(0), half(1)]);
    return counts[0]! + counts[1]!;
  },
};

/** A quarter of enrollments leave a review (ratings skewed to 4–5); a fifth of those got a reply. */
const reviews: TableSeeder = {
  table: 'reviews',
  needs: ['enrollments'],
  run: (ctx) =>
    overPlan(
      ctx,
      `insert into reviews (id, course_id, user_id, rating, text, reply, reply_at, created_at, updated_at)
       select pg_temp.sid('review', p.i), pg_temp.sid('course', p.c), pg_temp.sid('user', p.u), p.rating,
              pg_temp.review((1 + pg_temp.h(p.i, 52) % 6)::int, pg_temp.c_lang(p.c)),
              case when pg_temp.h(p.i, 53) % 5 = 0 then case pg_temp.c_lang(p.c) when 'ru' then 'Спасибо за отзыв!' when 'kk' then 'Пікіріңізге рахмет!' else 'Thank you for the review!' end end,
              case when pg_temp.h(p.i, 53) % 5 = 0 then ${enrolledAt} + interval '12 days' end,
              ${enrolledAt} + interval '10 days', ${enrolledAt} + interval '10 days'
       from (${enrollmentPlanSql(ctx.plan)}) p
       where p.reviewed
       on conflict do nothing`,
    ),
};

/** Learners' favorites: mostly popular courses, no pair twice. */
const favorites: TableSeeder = {
  table: 'favorites',
  needs: ['courses', 'users'],
  expected: (p) => p.favorites,
  run: (ctx) =>
    overPlan(
      ctx,
      `insert into favorites (user_id, course_id, created_at)
       select pg_temp.sid('user', u), pg_temp.sid('course', c), greatest(pg_temp.u_created(u), pg_temp.c_published_at(c)) + interval '3 days'
       from (
         select distinct on (u, c) i, u, c from (
           select i, pg_temp.learner_user(1 + pg_temp.h(i, 70) % ${ctx.plan.learners}) as u,
                  least(${ctx.plan.courses}, 1 + floor(${ctx.plan.courses} * power(pg_temp.h(i, 71)::float8 / 9223372036854775807, 2)))::bigint as c
           from generate_series(1, ${Math.ceil(ctx.plan.favorites * 1.3)}) i) cand
         where pg_temp.c_published(c)
         order by u, c, i) d
       order by i limit ${ctx.plan.favorites}
       on conflict do nothing`,
    ),
};

/** Tables in dependency order. Categories are upserted separately (the helpers embed their ids). */
export const SEEDERS: TableSeeder[] = [
  users,
  children,
  courses,
  modules,
  lessons,
  enrollments,
  lessonProgress,
  reviews,
  favorites,
  notifications,
];

/** Per-course counters implied by the enrollment plan (only for tables that exist). */
export async function computeCourseStats(ctx: SeedContext, withEnrollments: boolean, withReviews: boolean): Promise<CourseStats> {
  const n = ctx.plan.courses;
  const stats: CourseStats = { enrollments: new Int32Array(n + 1), ratingSum: new Int32Array(n + 1), ratingCount: new Int32Array(n + 1) };
  if (!withEnrollments) return stats;
  const { rows: agg } = await ctx.query<{ c: string; e: number; s: number; k: number }>(
    `select c, count(*)::int as e, coalesce(sum(rating) filter (where reviewed), 0)::int as s, count(*) filter (where reviewed)::int as k
     from (${enrollmentPlanSql(ctx.plan)}) p group by c`,
  );
  for (const row of agg) {
    const i = Number(row.c);
    stats.enrollments[i] = row.e;
    if (withReviews) {
      stats.ratingSum[i] = row.s;
      stats.ratingCount[i] = row.k;
    }
  }
  return stats;
}

export async function upsertCategories(pool: pg.Pool | pg.Client): Promise<string[]> {
  const values = SUBJECTS.map(
    (s, i) =>
      `(md5('sabaq-seed:category:${i + 1}')::uuid, ${lit(s.slug)}, ${lit(JSON.stringify({ ru: s.title[0], kk: s.title[1], en: s.title[2] }))}::jsonb, ${i + 1})`,
  ).join(',\n');
  await pool.query(`insert into categories (id, slug, title, position) values ${values} on conflict (slug) do nothing`);
  const { rows: found } = await pool.query<{ id: string; slug: string }>('select id, slug from categories where slug = any($1)', [
    SUBJECTS.map((s) => s.slug),
  ]);
  const bySlug = new Map(found.map((r) => [r.slug, r.id]));
  return SUBJECTS.map((s) => bySlug.get(s.slug)!);
}
