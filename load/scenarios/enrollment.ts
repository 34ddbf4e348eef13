/**
 * Enrollment writes: logged-in learners enroll in free courses they are not in yet, and one
 * request in twenty repeats an earlier pair (a double click, a retry). Afterwards the
 * database must hold exactly one row for every pair that was answered 2xx (nothing lost,
 * nothing duplicated) and each touched course's enrollment counter must equal its rows.
 * Budget: 200 req/s, p99 < 200 ms, no lost or duplicated rows. Paid courses go through
 * checkout once payments exist; until then they are left out.
 */
import type { Outcome } from '../lib/client.ts';
import type { Check, Scenario } from '../lib/scenario.ts';
import { auth, login, samplePublishedCourses, tableExists, type Session } from './data.ts';

interface State {
  learners: Session[];
  courses: string[];
  /** Pairs each learner is already in (seeded), to be avoided. */
  taken: Set<string>;
  sent: { session: Session; course: string }[];
}

const pairKey = (userId: string, courseId: string) => `${userId}:${courseId}`;
const courseOf = (o: Outcome) => /\/api\/courses\/([^/]+)\/enrollment/.exec(o.spec.path)?.[1];

export const enrollmentScenario: Scenario<State> = {
  name: 'enrollment',
  title: 'enrollment + checkout writes',
  description: 'Learners enrolling in free courses (5 % repeated requests); verified against the database afterwards.',
  thinkTimeMs: 30_000,
  keepOutcomes: true,
  async setup(ctx) {
    const n = ctx.smoke ? 3 : 300;
    const { rows: users } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'learner.%@seed.sabaq.local' order by md5(id::text || 'enroll') limit $1`,
      [n],
    );
    const learners = await login(ctx, users.map((u) => u.email));
    const courses = (await samplePublishedCourses(ctx.db, ctx.smoke ? 30 : 5000, 23, 'c.price_amount = 0')).map((c) => c.id);
    const taken = new Set<string>();
    if (await tableExists(ctx.db, 'enrollments')) {
      const { rows } = await ctx.db.query<{ user_id: string; course_id: string }>('select user_id, course_id from enrollments where user_id = any($1)', [
        learners.map((l) => l.userId),
      ]);
      for (const r of rows) taken.add(pairKey(r.user_id, r.course_id));
    }
    return { learners, courses, taken, sent: [] };
  },
  unavailable: (s) => (!s.learners.length ? 'no seeded learner could log in' : !s.courses.length ? 'no free published course' : undefined),
  mix: [
    {
      endpoint: 'POST /api/courses/:id/enrollment',
      weight: 1,
      ok: (status) => status === 200 || status === 201,
      build: (s, rng) => {
        if (s.sent.length && rng.chance(0.05)) {
          const again = s.sent[rng.int(s.sent.length)]!;
          return { path: `/api/courses/${again.course}/enrollment`, headers: auth(again.session) };
        }
        for (let attempt = 0; attempt < 20; attempt++) {
          const session = s.learners[rng.int(s.learners.length)]!;
          const course = s.courses[rng.int(s.courses.length)]!;
          const key = pairKey(session.userId, course);
          if (s.taken.has(key)) continue;
          s.taken.add(key);
          s.sent.push({ session, course });
          return { path: `/api/courses/${course}/enrollment`, headers: auth(session) };
        }
        return null;
      },
    },
  ],
  async verify(s, outcomes, db) {
    const checks: Check[] = [];
    if (!(await tableExists(db, 'enrollments'))) return [{ name: 'rows', ok: false, detail: 'no enrollments table' }];
    const answered = new Map<string, { userId: string; courseId: string }>();
    for (const o of outcomes) {
      if (!o.ok) continue;
      const courseId = courseOf(o);
      const userId = s.learners.find((l) => l.token === o.spec.headers?.authorization?.slice(7))?.userId;
      if (courseId && userId) answered.set(pairKey(userId, courseId), { userId, courseId });
    }
    const pairs = [...answered.values()];
    if (!pairs.length) return [{ name: 'rows', ok: false, detail: 'no enrollment was answered 2xx' }];
    const { rows } = await db.query<{ user_id: string; course_id: string; n: number }>(
      `select e.user_id, e.course_id, count(*)::int as n from enrollments e
       join unnest($1::uuid[], $2::uuid[]) as p(u, c) on e.user_id = p.u and e.course_id = p.c
       group by e.user_id, e.course_id`,
      [pairs.map((p) => p.userId), pairs.map((p) => p.courseId)],
    );
    const found = rows.length;
    const duplicated = rows.filter((r) => r.n > 1).length;
    checks.push({ name: 'no lost rows', ok: found === pairs.length, detail: `${found} of ${pairs.length} enrollments answered 2xx are in the database` });
    checks.push({ name: 'no duplicated rows', ok: duplicated === 0, detail: `${duplicated} pairs with more than one row` });
    const courses = [...new Set(pairs.map((p) => p.courseId))];
    const { rows: off } = await db.query<{ id: string }>(
      `select c.id from courses c where c.id = any($1::uuid[])
         and c.enrollment_count <> (select count(*) from enrollments e where e.course_id = c.id)`,
      [courses],
    );
    checks.push({ name: 'course counters exact', ok: off.length === 0, detail: `${off.length} of ${courses.length} touched courses have enrollment_count ≠ rows` });
    return checks;
  },
};
