/**
 * Logged-in learners studying: "my learning", reading lessons of their courses, marking
 * them complete, checking progress and notifications. Budget: 500 req/s, p99 < 150 ms, 0 errors.
 */
import type { Rng } from '../lib/rng.ts';
import type { Scenario } from '../lib/scenario.ts';
import { auth, login, tableExists, type Session } from './data.ts';

interface Learner {
  session: Session;
  lang: string;
  /** Enrolled courses with their lessons in curriculum order. */
  courses: { id: string; lessons: string[] }[];
}

interface State {
  learners: Learner[];
}

/**
 * Some learners are busier than others, mildly: at the budget's 500 req/s each of the 1,000 reads
 * ~0.2 lessons a second, the busiest ~1 — under the per-account `catalog.read` limit (2/s). With
 * 200 learners drawn zipf(0.7) the busiest read ~10 lessons a second at 500/s and the run failed
 * on that limit's 429s, the product refusing a learner no person could be.
 */
/** Simulated learners, each logged in once at setup. */
export const LEARNERS = 1000;
const someone = (s: State, rng: Rng) => s.learners[rng.zipf(s.learners.length, 0.3)];
const someCourse = (l: Learner, rng: Rng) => (l.courses.length ? l.courses[rng.int(l.courses.length)] : undefined);
/** Learners mostly read where they are: the early lessons of a course more than the last ones. */
const someLesson = (c: { lessons: string[] }, rng: Rng) => c.lessons[rng.zipf(c.lessons.length, 0.6)];

export const learnerScenario: Scenario<State> = {
  name: 'learner',
  title: 'learner mix: my learning, lesson, mark complete, progress',
  description: 'Seeded learners with enrollments, logged in through the API, reading and completing lessons of their own courses.',
  thinkTimeMs: 20_000,
  async setup(ctx) {
    const n = ctx.smoke ? 3 : LEARNERS;
    const hasEnrollments = await tableExists(ctx.db, 'enrollments');
    const { rows: users } = await ctx.db.query<{ id: string; email: string; language: string }>(
      `select u.id, u.email, u.language from users u
       where u.email like 'learner.%@seed.sabaq.local'
         ${hasEnrollments ? 'and exists (select 1 from enrollments e where e.user_id = u.id)' : ''}
       order by md5(u.id::text) limit $1`,
      [n],
    );
    const sessions = await login(
      ctx,
      users.map((u) => u.email),
    );
    const lessonsByUser = new Map<string, Map<string, string[]>>();
    if (hasEnrollments && sessions.length) {
      const { rows } = await ctx.db.query<{ user_id: string; course_id: string; lessons: string[] }>(
        `select e.user_id, e.course_id,
                array(select l.id from lessons l join modules m on m.id = l.module_id
                      where l.course_id = e.course_id order by m.position, l.position) as lessons
         from enrollments e where e.user_id = any($1)`,
        [sessions.map((s) => s.userId)],
      );
      for (const r of rows) {
        let m = lessonsByUser.get(r.user_id);
        if (!m) lessonsByUser.set(r.user_id, (m = new Map()));
        if (r.lessons.length) m.set(r.course_id, r.lessons);
      }
    }
    const langOf = new Map(users.map((u) => [u.email, u.language]));
    return {
      learners: sessions.map((session) => ({
        session,
        lang: langOf.get(session.email) ?? 'ru',
        courses: [...(lessonsByUser.get(session.userId) ?? new Map<string, string[]>())].map(([id, lessons]) => ({ id, lessons })),
      })),
    };
  },
  unavailable: (s) => (s.learners.some((l) => l.courses.length) ? undefined : 'no seeded learner with an enrollment could log in'),
  mix: [
    {
      endpoint: 'GET /api/lessons/:id',
      weight: 35,
      build: (s, rng) => {
        const l = someone(s, rng);
        const c = l && someCourse(l, rng);
        return c ? { path: `/api/lessons/${someLesson(c, rng)}?lang=${l.lang}`, headers: auth(l.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/me/learning',
      weight: 20,
      build: (s, rng) => {
        const l = someone(s, rng);
        return l ? { path: `/api/me/learning?lang=${l.lang}`, headers: auth(l.session) } : null;
      },
    },
    {
      endpoint: 'POST /api/lessons/:id/completion',
      weight: 15,
      build: (s, rng) => {
        const l = someone(s, rng);
        const c = l && someCourse(l, rng);
        return c ? { path: `/api/lessons/${someLesson(c, rng)}/completion?lang=${l.lang}`, headers: auth(l.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/courses/:id/progress',
      weight: 15,
      build: (s, rng) => {
        const l = someone(s, rng);
        const c = l && someCourse(l, rng);
        return c ? { path: `/api/courses/${c.id}/progress?lang=${l.lang}`, headers: auth(l.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/me/notifications/unread-count',
      weight: 10,
      build: (s, rng) => {
        const l = someone(s, rng);
        return l ? { path: '/api/me/notifications/unread-count', headers: auth(l.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/me/notifications',
      weight: 5,
      build: (s, rng) => {
        const l = someone(s, rng);
        return l ? { path: '/api/me/notifications?limit=20', headers: auth(l.session) } : null;
      },
    },
  ],
};
