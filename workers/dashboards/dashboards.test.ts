/**
 * Dashboards: the trigger-kept rollups equal a brute-force count of the same rows (after
 * inserts, completions, hides, lesson deletes and account deletes), the teacher and admin
 * APIs answer from them with few statements that never touch enrollments or lesson_progress,
 * another teacher's course is 404, bad ranges are 400 invalid_range, and the live pulse
 * reaches the teacher's open socket.
 */
import { neon } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { reports, users } from '../../db/schema/index.ts';
import {
  answer,
  childResult,
  createTest,
  expectStatus as expectOk,
  publish,
  publishedTest,
  quizDoc,
  startAttempt,
  submit,
} from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { deliver, queuedReport } from '../../tests/support/reports.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show } from '../../tests/support/http.ts';
import { complete, enroll, expectStatus, openLive, review } from '../../tests/support/learning.ts';
import { createAdmin, registerUser, testDb, vars, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { opsDashboard, platformDashboard } from './admin.ts';
import { REPORTS_DLQ_NAME, createQueueHandler } from '../reports/consumer.ts';
import { maybeFlushOps, routeFamily, SAMPLED_QUEUE, takeDeltas } from './ops-rollup.ts';
import { isViewing, SNAPSHOT_MAX, VIEWERS_KEY } from './presence.ts';
import { sendPulse } from './pulse.ts';
import { dayRange, MAX_RANGE_DAYS, toCsv } from './range.ts';
import { courseSeams, teacherGen, teacherOverview, teacherPulse, teacherVoices } from './teacher.ts';

const today = () => new Date().toISOString().slice(0, 10);
const actorOf = (u: TestUser): Actor => ({ id: u.id, role: u.role as Actor['role'], sessionId: 'test' });

/** Rows of `a` missing from `b` and of `b` missing from `a`, in ONE statement (one snapshot). */
async function diff(rollup: string, brute: string): Promise<unknown[]> {
  const { db } = testDb();
  const res = await db.execute(sql.raw(`((${rollup}) except all (${brute})) union all ((${brute}) except all (${rollup}))`));
  return res.rows;
}

async function courseRollupDiff(courseId: string) {
  const id = `'${courseId}'::uuid`;
  return [
    ...(await diff(
      `select day, enrollments, completions, lesson_completions, reviews, rating_sum from course_day_stats where course_id = ${id}
         and (enrollments, completions, lesson_completions, reviews, rating_sum) <> (0, 0, 0, 0, 0)`,
      `select day, sum(e)::int, sum(c)::int, sum(lc)::int, sum(r)::int, sum(rs)::int from (
         select sabaq_utc_day(created_at) as day, 1 e, 0 c, 0 lc, 0 r, 0 rs from enrollments where course_id = ${id}
         union all select sabaq_utc_day(completed_at), 0, 1, 0, 0, 0 from enrollments where course_id = ${id} and completed_at is not null
         union all select sabaq_utc_day(completed_at), 0, 0, 1, 0, 0 from lesson_progress where course_id = ${id}
         union all select sabaq_utc_day(created_at), 0, 0, 0, 1, rating from reviews where course_id = ${id} and not hidden) x group by day`,
    )),
    ...(await diff(
      `select lesson_id, completions from lesson_stats where course_id = ${id} and completions <> 0`,
      `select lesson_id, count(*)::int from lesson_progress where course_id = ${id} group by lesson_id`,
    )),
    ...(await diff(
      `select user_id, lessons_done, first_at, last_at from course_learner_stats where course_id = ${id}`,
      `select user_id, count(*)::int, min(completed_at), max(completed_at) from lesson_progress where course_id = ${id} group by user_id`,
    )),
  ];
}

async function oneCourse() {
  const teacher = await verifiedTeacher();
  const course = await createCourse(teacher, { modules: 2, lessonsPerModule: 2 });
  const learners = await Promise.all([registerUser('learner'), registerUser('learner'), registerUser('learner')]);
  for (const l of learners) await expectStatus(enroll(l, course.id), 201);
  return { teacher, course, learners };
}

describe('rollups equal a brute-force count of the same rows', () => {
  it('after enrollments, completions, reviews, a hide, a lesson delete and an account delete', async () => {
    const { teacher, course, learners } = await oneCourse();
    const [a, b, c] = learners as [TestUser, TestUser, TestUser];
    for (const lesson of course.lessonIds) await expectStatus(complete(a, lesson), 200); // a completes the course
    await expectStatus(complete(b, course.lessonIds[0]!), 200);
    await expectStatus(complete(b, course.lessonIds[1]!), 200);
    await expectStatus(complete(c, course.lessonIds[2]!), 200);
    await expectStatus(review(a, course.id, { rating: 5, text: 'Отлично' }), 201);
    const rb = await expectStatus(review(b, course.id, { rating: 2 }), 201);
    expect(await courseRollupDiff(course.id)).toEqual([]);

    const admin = await createAdmin();
    await expectStatus(api('POST', `/api/admin/reviews/${rb.review.id}/hide`, { token: admin.token }), 200);
    expect(await courseRollupDiff(course.id)).toEqual([]);

    // Deleting a lesson cascades into progress: the funnel and the learners' rows follow.
    await expectStatus(api('DELETE', `/api/lessons/${course.lessonIds[0]}`, { token: teacher.token }), 204);
    expect(await courseRollupDiff(course.id)).toEqual([]);

    // A deleted account takes its enrollment, progress and review with it.
    await testDb().db.execute(sql`delete from users where id = ${a.id}::uuid`);
    expect(await courseRollupDiff(course.id)).toEqual([]);

    // Un-completing a lesson (DELETE completion) also counts.
    await expectStatus(api('DELETE', `/api/lessons/${course.lessonIds[1]}/completion`, { token: b.token }), 200);
    expect(await courseRollupDiff(course.id)).toEqual([]);
  });

  it('parallel multi-row statements touching the same rollup rows in opposite orders neither deadlock nor drift', async () => {
    const { course, learners } = await oneCourse();
    const { db } = testDb();
    const values = (u: TestUser, order: string[]) => order.map((l) => `('${u.id}', '${l}', '${course.id}')`).join(', ');
    const forward = course.lessonIds;
    const backward = [...course.lessonIds].reverse();
    await Promise.all(
      learners.map((u, i) =>
        db.execute(sql.raw(`insert into lesson_progress (user_id, lesson_id, course_id) values ${values(u, i % 2 ? backward : forward)}`)),
      ),
    );
    expect(await courseRollupDiff(course.id)).toEqual([]);
    await Promise.all(
      learners.map((u) => db.execute(sql`delete from lesson_progress where user_id = ${u.id}::uuid and course_id = ${course.id}::uuid`)),
    );
    expect(await courseRollupDiff(course.id)).toEqual([]);
  });

  it('submissions per test and day, registrations per role and payments per currency', async () => {
    const { teacher, test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    await expectOk(answer(learner, attempt.id, 'q1', { value: 2 }), 200);
    await submit(learner, attempt.id);
    expect(
      await diff(
        `select test_id, day, submissions from test_day_submissions where test_id = '${test.id}' and submissions <> 0`,
        `select test_id, sabaq_utc_day(submitted_at), count(*)::int from results where test_id = '${test.id}' group by 1, 2`,
      ),
    ).toEqual([]);
    void teacher;

    // A payment that succeeds and is then refunded, written as the payments domain does (status changes).
    const { db } = testDb();
    const [p] = (
      await db.execute<{ id: string }>(
        sql`insert into payments (user_id, purchase_kind, purchase_id, description, amount, currency, status, provider)
            values (${learner.id}::uuid, 'course', gen_random_uuid(), 'test', 12345, 'KZT', 'pending', 'mock') returning id`,
      )
    ).rows;
    await db.execute(sql`update payments set status = 'succeeded', succeeded_at = now() where id = ${p!.id}::uuid`);
    await db.execute(sql`update payments set status = 'refunded', refunded_at = now() where id = ${p!.id}::uuid`);
    await db.delete(users).where(sql`${users.id} = ${learner.id}::uuid`); // cascades the payment and the result

    expect(
      await diff(
        `select day, role::text, registrations from registration_day_stats where registrations <> 0`,
        `select sabaq_utc_day(created_at), role::text, count(*)::int from users group by 1, 2`,
      ),
    ).toEqual([]);
    expect(
      await diff(
        `select day, currency, succeeded, succeeded_amount, refunded, refunded_amount from payment_day_stats
           where (succeeded, refunded) <> (0, 0)`,
        `select day, currency, sum(s)::int, sum(sa)::bigint, sum(r)::int, sum(ra)::bigint from (
           select sabaq_utc_day(succeeded_at) as day, currency, 1 s, amount sa, 0 r, 0 ra from payments where succeeded_at is not null
           union all select sabaq_utc_day(refunded_at), currency, 0, 0, 1, amount from payments where refunded_at is not null) x group by 1, 2`,
      ),
    ).toEqual([]);
    expect(
      await diff(
        `select test_id, day, submissions from test_day_submissions where test_id = '${test.id}' and submissions <> 0`,
        `select test_id, sabaq_utc_day(submitted_at), count(*)::int from results where test_id = '${test.id}' group by 1, 2`,
      ),
    ).toEqual([]);
  });
});

describe('quiz questions most often wrong', () => {
  it('the trigger grades each choice question as scoring.ts does, and a deleted result takes its marks back', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher);
    const test = await createTest(teacher, quizDoc({ courseId: course.id }));
    await publish(teacher, test.id);
    const answers: Record<string, unknown>[] = [
      { s1: { option: 'a' }, m1: { options: ['a', 'c'] } }, // both right
      { s1: { option: 'b' }, m1: { options: ['a'] } }, // both wrong
      { s1: { option: 'a' } }, // m1 unanswered: wrong
      { m1: { options: ['c', 'a'] } }, // s1 unanswered: wrong; m1 right in any order
    ];
    const takers: TestUser[] = [];
    for (const given of answers) {
      const u = await registerUser('learner');
      takers.push(u);
      const attempt = await startAttempt(u, test.id);
      for (const [key, body] of Object.entries(given)) await expectOk(answer(u, attempt.id, key, body), 200);
      await submit(u, attempt.id);
    }
    const { db } = testDb();
    const same = async () =>
      (
        await db.execute(sql`select count(*)::int as n from results r join result_question_marks m on m.result_id = r.id
          where r.test_id = ${test.id}::uuid and (cardinality(m.keys) <> r.total or cardinality(m.keys) - cardinality(m.wrong) <> r.correct)`)
      ).rows[0];
    expect(await same()).toEqual({ n: 0 });
    const bruteDiff = () =>
      diff(
        `select question_key, answered, wrong from question_stats where test_id = '${test.id}' and answered <> 0`,
        `select k, count(*)::int, count(*) filter (where k = any (m.wrong))::int from result_question_marks m, unnest(m.keys) k
           join results r on true where r.id = m.result_id and m.test_id = '${test.id}' group by k`,
      );
    expect(await bruteDiff()).toEqual([]);
    const seams = await api('GET', `/api/dashboard/courses/${course.id}/seams`, { token: teacher.token });
    expect(seams.status, show(seams)).toBe(200);
    const byKey = Object.fromEntries(seams.body.wrongQuestions.map((q: any) => [q.key, [q.answered, q.wrong]]));
    expect(byKey).toEqual({ s1: [4, 2], m1: [4, 2] });
    expect(seams.body.wrongQuestions[0].text).toEqual(expect.objectContaining({ ru: expect.any(String) }));

    await db.delete(users).where(sql`${users.id} = ${takers[1]!.id}::uuid`);
    expect(await bruteDiff()).toEqual([]);
    const rows = (
      await db.execute(sql`select question_key, answered, wrong from question_stats where test_id = ${test.id}::uuid order by 1`)
    ).rows;
    expect(rows).toEqual([
      { question_key: 'm1', answered: 3, wrong: 1 },
      { question_key: 's1', answered: 3, wrong: 1 },
    ]);
    const orphans = (
      await db.execute(sql`select count(*)::int as n from result_question_marks m where m.test_id = ${test.id}::uuid
        and not exists (select 1 from results r where r.id = m.result_id)`)
    ).rows[0];
    expect(orphans).toEqual({ n: 0 });
  });
});

describe('teacher dashboard API', () => {
  it('overview, pulse, seams and voices show the teacher their own numbers, never an email', async () => {
    const { teacher, course, learners } = await oneCourse();
    const [a, b] = learners as [TestUser, TestUser, TestUser];
    for (const lesson of course.lessonIds) await expectStatus(complete(a, lesson), 200);
    await expectStatus(complete(b, course.lessonIds[0]!), 200);
    await expectStatus(review(a, course.id, { rating: 4, text: 'Хорошо' }), 201);

    const overview = await api('GET', `/api/dashboard/overview?courseId=${course.id}`, { token: teacher.token });
    expect(overview.status, show(overview)).toBe(200);
    expect(overview.headers.get('cache-control')).toBe('private, no-store');
    expect(overview.body.totals).toEqual({
      enrollments: 3,
      completions: 1,
      lessonCompletions: 5,
      submissions: 0,
      reviews: 1,
      averageRating: 4,
    });
    expect(overview.body.series).toHaveLength(30);
    expect(overview.body.series.at(-1)).toMatchObject({ period: today(), enrollments: 3, lessonCompletions: 5 });
    expect(overview.body.courses.map((c: { id: string }) => c.id)).toEqual([course.id]);

    const weekly = await api('GET', `/api/dashboard/overview?bucket=week&from=2026-01-01&to=${today()}`, { token: teacher.token });
    expect(weekly.status, show(weekly)).toBe(200);
    expect(weekly.body.series.every((p: { period: string }) => new Date(`${p.period}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    expect(weekly.body.totals.enrollments).toBe(3);

    const pulse = await api('GET', '/api/dashboard/pulse', { token: teacher.token });
    expect(pulse.status, show(pulse)).toBe(200);
    expect(pulse.body).toMatchObject({ activeNow: 2, activeToday: 2, lessonCompletionsToday: 5, submissionsToday: 0 });
    expect(pulse.body.recentCompletions).toHaveLength(2);
    expect(pulse.body.recentCompletions[0].learnerName).toBe('Test learner');

    const seams = await api('GET', `/api/dashboard/courses/${course.id}/seams?abandonDays=7`, { token: teacher.token });
    expect(seams.status, show(seams)).toBe(200);
    expect(seams.body).toMatchObject({ enrolled: 3, started: 2, completed: 1, abandoned: 0 });
    expect(seams.body.modules.flatMap((m: any) => m.lessons.map((l: any) => l.completed))).toEqual([2, 1, 1, 1]);
    expect(seams.body.medianSecondsBetweenLessons).toBeGreaterThanOrEqual(0);

    const voices = await api('GET', '/api/dashboard/voices', { token: teacher.token });
    expect(voices.status, show(voices)).toBe(200);
    expect(voices.body.newest).toHaveLength(1);
    expect(voices.body.unanswered).toHaveLength(1);
    expect(voices.body.ratings.at(-1)).toMatchObject({ reviews: 1, averageRating: 4 });

    for (const res of [overview, pulse, seams, voices]) {
      for (const u of [...learners, teacher]) expect(res.text).not.toContain(u.email);
    }

    const csv = await api('GET', `/api/dashboard/courses/${course.id}/seams?format=csv`, { token: teacher.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('cache-control')).toBe('private, no-store');
    expect(csv.text.split('\r\n')[0]).toBe('module,lesson,completed,share_of_enrolled');
    expect(csv.text.trim().split('\r\n')).toHaveLength(5);
  });

  it("a child's result shows no name to the teacher, and submissions count", async () => {
    const { teacher } = await childResult({ childName: 'Секретное Имя' });
    const pulse = await api('GET', '/api/dashboard/pulse', { token: teacher.token });
    expect(pulse.status, show(pulse)).toBe(200);
    expect(pulse.body.submissionsToday).toBe(1);
    expect(pulse.body.recentSubmissions).toHaveLength(1);
    expect(pulse.body.recentSubmissions[0].learnerName).toBeNull();
    expect(pulse.text).not.toContain('Секретное');
    const voices = await api('GET', '/api/dashboard/voices', { token: teacher.token });
    expect(voices.body.bands).toHaveLength(1);
    expect(voices.text).not.toContain('Секретное');
  });

  it("another teacher's course is 404; learners and anonymous callers are refused", async () => {
    const { course } = await oneCourse();
    const other = await verifiedTeacher();
    for (const path of [
      `/api/dashboard/overview?courseId=${course.id}`,
      `/api/dashboard/courses/${course.id}/seams`,
      `/api/dashboard/pulse?courseId=${course.id}`,
      `/api/dashboard/voices?courseId=${course.id}`,
    ]) {
      const res = await api('GET', path, { token: other.token });
      expect(res.status, `${path} ${show(res)}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const malformedId = await api('GET', '/api/dashboard/courses/not-an-id/seams', { token: other.token });
    expect(malformedId.status).toBe(404);
    const learner = await registerUser('learner');
    expect((await api('GET', '/api/dashboard/overview', { token: learner.token })).status).toBe(403);
    expect((await api('GET', '/api/dashboard/pulse')).status).toBe(401);
    expect((await api('GET', '/api/admin/dashboard', { token: other.token })).status).toBe(403);
    expect((await api('GET', '/api/admin/dashboard/ops', { token: other.token })).status).toBe(403);
  });

  it('bad ranges and unknown filters are clear 400s', async () => {
    const teacher = await verifiedTeacher();
    const cases: [string, string][] = [
      ['from=2026-03-10&to=2026-03-01', 'invalid_range'],
      ['from=2024-01-01&to=2026-01-01', 'invalid_range'],
      ['from=2026-02-31', 'invalid_range'],
      ['from=yesterday', 'invalid_range'],
      ['bucket=month', 'validation_failed'],
      ['colour=red', 'validation_failed'],
    ];
    for (const [query, code] of cases) {
      const res = await api('GET', `/api/dashboard/overview?${query}`, { token: teacher.token });
      expect(res.status, `${query}: ${show(res)}`).toBe(400);
      expect(res.body.error.code, query).toBe(code);
    }
    const seams = await api('GET', '/api/dashboard/courses/00000000-0000-4000-8000-000000000000/seams?abandonDays=0', {
      token: teacher.token,
    });
    expect(seams.status).toBe(400);
  });
});

describe('ops rollup helpers', () => {
  it('route families and the once-a-minute flush', () => {
    expect(routeFamily('/api/courses/:id')).toBe('courses');
    expect(routeFamily('site:page')).toBe('site');
    expect(routeFamily('unmatched')).toBe('unmatched');
    takeDeltas();
    const writes: Promise<unknown>[] = [];
    const db = testCtx().services.db;
    const t0 = Date.now();
    maybeFlushOps(
      () => db,
      (p) => writes.push(p),
      t0,
      true,
    );
    const afterForced = writes.length;
    maybeFlushOps(
      () => db,
      (p) => writes.push(p),
      t0 + 1_000,
    ); // within the minute: nothing taken
    expect(writes.length).toBe(afterForced);
    return Promise.all(writes);
  });
});

describe('range helpers', () => {
  it('caps, orders and validates ranges; CSV quotes and defuses formulas', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(dayRange({}, now)).toEqual({ from: '2026-11-07', to: '2026-12-06', days: 30 });
    expect(dayRange({ from: '2025-11-02', to: '2026-12-06' }, now).days).toBe(MAX_RANGE_DAYS);
    expect(() => dayRange({ from: '2025-11-01', to: '2026-12-06' }, now)).toThrow(/at most 400/);
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', '=HYPERLINK("z")'],
          [null, 3],
        ],
      ),
    ).toBe('a,b\r\n"x,y","\'=HYPERLINK(""z"")"\r\n,3\r\n');
  });
});

describe('reads are a few statements that never touch enrollments or lesson_progress', () => {
  interface PlanNode {
    'Node Type': string;
    'Relation Name'?: string;
    Plans?: PlanNode[];
  }
  const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

  async function statementsOf(op: (ctx: Ctx) => Promise<unknown>) {
    const sent: { sql: string; params: unknown[] }[] = [];
    await op(testCtx({ onQuery: (s, params) => sent.push({ sql: s, params }) }));
    return sent;
  }

  async function relationsOf(stmt: { sql: string; params: unknown[] }): Promise<string[]> {
    testDb();
    const client = neon(vars.DATABASE_URL!);
    const rows = (await client.query(`explain (format json) ${stmt.sql}`, stmt.params as never[])) as unknown as {
      'QUERY PLAN': { Plan: PlanNode }[];
    }[];
    return walk(rows[0]!['QUERY PLAN'][0]!.Plan).flatMap((n) => (n['Relation Name'] ? [n['Relation Name']] : []));
  }

  it('overview, pulse, seams, voices and the admin views', async () => {
    const { teacher, course } = await oneCourse();
    const admin = await createAdmin();
    const t = actorOf(teacher);
    const ops: [string, (ctx: Ctx) => Promise<unknown>, number][] = [
      ['overview', (ctx) => teacherOverview(ctx, t, { courseId: course.id }), 4],
      ['pulse', (ctx) => teacherPulse(ctx, t, {}), 3],
      ['seams', (ctx) => courseSeams(ctx, t, course.id, 14), 5],
      ['voices', (ctx) => teacherVoices(ctx, t, {}), 6],
      ['platform', (ctx) => platformDashboard(ctx, actorOf(admin), {}), 6],
      // Its own isolate's flush first (route families, queues and the backlog sample: one statement), then four reads.
      ['ops', (ctx) => opsDashboard(ctx, actorOf(admin), 'day'), 5],
    ];
    for (const [name, op, max] of ops) {
      const sent = await statementsOf(op);
      expect(sent.length, name).toBeGreaterThan(0);
      expect(sent.length, `${name}: ${sent.map((s) => s.sql).join('\n')}`).toBeLessThanOrEqual(max);
      for (const stmt of sent) {
        const relations = await relationsOf(stmt);
        expect(relations, `${name}: ${stmt.sql}`).not.toContain('enrollments');
        expect(relations, `${name}: ${stmt.sql}`).not.toContain('lesson_progress');
      }
    }
    // A second read within the TTL is served by the cache: no statement at all.
    expect(await statementsOf((ctx) => teacherOverview(ctx, t, { courseId: course.id }))).toHaveLength(1); // the ownership check only
  });
});

describe('live pulse and invalidation', () => {
  it("a learner's lesson completion reaches the teacher's open socket, and the pulse read shows it at once", async () => {
    const { teacher, course, learners } = await oneCourse();
    const before = await api('GET', '/api/dashboard/pulse', { token: teacher.token });
    expect(before.body.lessonCompletionsToday).toBe(0);
    const live = await openLive({ token: teacher.token });
    try {
      await expectStatus(complete(learners[0]!, course.lessonIds[0]!), 200);
      const event = await live.next((m) => m.type === 'pulse' && m.kind === 'lesson_completed');
      expect(event.courseId).toBe(course.id);
      const after = await api('GET', '/api/dashboard/pulse', { token: teacher.token });
      expect(after.body.lessonCompletionsToday).toBe(1);
      expect(after.body.activeNow).toBe(1);
    } finally {
      live.close();
    }
  });
});

describe('pulse only for teachers looking', () => {
  it('a learner write wakes no live object and drops no cache of a teacher with no dashboard open; a read marks them', async () => {
    const { teacher, course } = await oneCourse();
    const ctx = testCtx();
    const gen = async () => Number((await ctx.services.redis.get(teacherGen(teacher.id))) ?? 0);
    const before = await gen();
    await sendPulse(ctx, 'lesson_completed', { courseId: course.id });
    expect(await gen(), 'no dashboard open: nothing invalidated').toBe(before);
    expect(await isViewing(ctx, teacher.id)).toBe(false);

    // Any dashboard read marks the teacher; from then on each write bumps their caches — at once
    // in the isolate that served the read, in others once their snapshot of the viewers is
    // renewed (at most a second later: the clock here is moved past that, so either holds).
    expect((await api('GET', '/api/dashboard/pulse', { token: teacher.token })).status).toBe(200);
    ctx.services.now = () => new Date(Date.now() + 2_000);
    expect(await isViewing(ctx, teacher.id)).toBe(true);
    await sendPulse(ctx, 'lesson_completed', { courseId: course.id });
    expect(await gen()).toBe(before + 1);
  });

  it('with more viewers than the snapshot holds, a write asks for its own teacher; ended marks are dropped', async () => {
    const { teacher } = await oneCourse();
    const ctx = testCtx();
    const redis = ctx.services.redis;
    let clock = Date.now() + 10_000;
    ctx.services.now = () => new Date(clock);
    const crowd = Array.from({ length: SNAPSHOT_MAX + 1 }, (_, i) => `crowd-${crypto.randomUUID()}-${i}`);
    const [first, ...rest] = crowd.map((member) => ({ score: clock + 3_000, member }));
    await redis.zadd(VIEWERS_KEY, first!, ...rest);
    try {
      expect(await isViewing(ctx, crowd[7]!)).toBe(true);
      expect(await isViewing(ctx, teacher.id)).toBe(false);
      expect((await api('GET', '/api/dashboard/pulse', { token: teacher.token })).status).toBe(200);
      // Still inside the snapshot's second: too many to copy, so the answer comes from Redis itself.
      expect(await isViewing(ctx, teacher.id)).toBe(true);
      // The crowd's marks end: the next snapshot drops them, and the teacher's own mark stays.
      clock += 5_000;
      expect(await isViewing(ctx, crowd[7]!)).toBe(false);
      expect(await redis.zscore(VIEWERS_KEY, crowd[7]!)).toBeNull();
      expect(await isViewing(ctx, teacher.id)).toBe(true);
    } finally {
      await redis.zrem(VIEWERS_KEY, ...crowd);
    }
  });
});

describe('admin dashboard', () => {
  it('platform numbers equal the rollups, and the operations charts move after traffic', async () => {
    const admin = await createAdmin();
    const teacher = await registerUser('teacher'); // pending verification
    // Admin numbers are cached for 30 s without invalidation; a range no earlier test read is a fresh key.
    const res = await api('GET', `/api/admin/dashboard?from=2026-01-01&to=${today()}`, { token: admin.token });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.pendingTeachers.count).toBeGreaterThan(0);
    expect(res.body.usersByRole.admin).toBeGreaterThan(0);
    const todayRow = res.body.registrations.at(-1);
    expect(todayRow.period).toBe(today());
    expect(todayRow.teacher).toBeGreaterThan(0);
    void teacher;
    const csv = await api('GET', '/api/admin/dashboard?format=csv&table=registrations', { token: admin.token });
    expect(csv.text.split('\r\n')[0]).toBe('period,learner,parent,teacher,admin');

    // Traffic in this isolate; the request path flushes at most once a minute, the admin's read flushes its own isolate first.
    const before = await api('GET', '/api/admin/dashboard/ops?window=hour', { token: admin.token });
    const coursesBefore = before.body.families.find((f: { family: string }) => f.family === 'courses')?.requests ?? 0;
    for (let i = 0; i < 5; i++) await api('GET', '/api/courses');
    const ops = await api('GET', '/api/admin/dashboard/ops?window=hour', { token: admin.token });
    expect(ops.status, show(ops)).toBe(200);
    const courses = ops.body.families.find((f: { family: string }) => f.family === 'courses');
    expect(courses?.requests ?? 0).toBeGreaterThanOrEqual(coursesBefore + 5);
    expect(ops.body.total.reduce((s: number, p: { requests: number }) => s + p.requests, 0)).toBeGreaterThanOrEqual(5);
  });
});

describe('admin operations: queues', () => {
  interface QueueSeries {
    queue: string;
    deadLetter: boolean;
    deadLettered: number;
    points: { at: string; depth: number | null; oldestAgeSec: number | null; deadLettered: number }[];
  }
  const queuesOf = async (token: string) => {
    const res = await api('GET', '/api/admin/dashboard/ops?window=hour', { token });
    expect(res.status, show(res)).toBe(200);
    return res.body.queues as QueueSeries[];
  };

  it("shows the report queue's depth and the age of its oldest message, and counts dead letters per dead-letter queue", async () => {
    const admin = await createAdmin();
    const dlqBefore = (await queuesOf(admin.token)).find((q) => q.queue === REPORTS_DLQ_NAME)?.deadLettered ?? 0;

    // A report whose message has waited 90 s, and one dead-lettered message.
    const { report } = await queuedReport();
    await testDb()
      .db.update(reports)
      .set({ enqueuedAt: new Date(Date.now() - 90_000) })
      .where(sql`${reports.id} = ${report.id}`);
    const dead = await queuedReport();
    const got = await deliver(
      createQueueHandler(),
      REPORTS_DLQ_NAME,
      { v: 1, reportId: dead.report.id, createdAt: new Date().toISOString() },
      1,
    );
    expect(got.explicitAcks).toHaveLength(1);

    const queues = await queuesOf(admin.token);
    const backlog = queues.find((q) => q.queue === SAMPLED_QUEUE)!;
    expect(backlog.deadLetter).toBe(false);
    // The read sampled the backlog for the current minute (other tests' reports may wait too: at least ours).
    const latest = backlog.points.at(-1)!;
    expect(Date.now() - Date.parse(latest.at)).toBeLessThan(120_000);
    expect(latest.depth).toBeGreaterThanOrEqual(1);
    expect(latest.oldestAgeSec).toBeGreaterThanOrEqual(90);
    const dlq = queues.find((q) => q.queue === REPORTS_DLQ_NAME)!;
    expect(dlq.deadLetter).toBe(true);
    expect(dlq.deadLettered).toBeGreaterThanOrEqual(dlqBefore + 1);

    // The failed report has left the backlog: the dead-lettered one no longer counts.
    const [row] = await testDb().db.select().from(reports).where(sql`${reports.id} = ${dead.report.id}`);
    expect(row!.status).toBe('failed');

    const csv = await api('GET', '/api/admin/dashboard/ops?format=csv&table=queues', { token: admin.token });
    expect(csv.text.split('\r\n')[0]).toBe('at,queue,depth,oldest_age_sec,handled,mean_wait_ms,dead_lettered');
    expect(csv.text).toContain(`,${SAMPLED_QUEUE},`);
  });
});
