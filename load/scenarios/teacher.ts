/**
 * Verified teachers authoring: their course list and editor, edits to course descriptions
 * and lesson bodies, new modules and lessons. Writes invalidate caches, so run it on its own
 * (not beside the warm-cache visitor budget). No budget in SPEC; reported for information.
 */
import type { Rng } from '../lib/rng.ts';
import type { Scenario } from '../lib/scenario.ts';
import { auth, login, type Session } from './data.ts';

interface Teacher {
  session: Session;
  courses: { id: string; lang: string; modules: string[]; lessons: string[] }[];
}

interface State {
  teachers: Teacher[];
  edits: number;
}

const pick = (s: State, rng: Rng) => {
  const t = s.teachers[rng.int(s.teachers.length)];
  const c = t?.courses.length ? t.courses[rng.int(t.courses.length)] : undefined;
  return t && c ? { t, c } : undefined;
};

const TEXT: Record<string, { title: string; body: string; description: string }> = {
  ru: {
    title: 'Дополнительные материалы',
    body: '## Повторение\n\nРешите задачи ещё раз и сравните ответы.',
    description: 'Курс обновлён: добавлены задачи для самопроверки.',
  },
  kk: {
    title: 'Қосымша материалдар',
    body: '## Қайталау\n\nЕсептерді қайта шығарып, жауаптарды салыстырыңыз.',
    description: 'Курс жаңартылды: өзін-өзі тексеру тапсырмалары қосылды.',
  },
  en: {
    title: 'Extra materials',
    body: '## Review\n\nSolve the problems again and compare your answers.',
    description: 'Updated: self-check problems added.',
  },
};

export const teacherScenario: Scenario<State> = {
  name: 'teacher',
  title: 'teacher authoring (reads and writes)',
  description: 'Seeded verified teachers listing and editing their own courses, adding modules and lessons.',
  thinkTimeMs: 15_000,
  async setup(ctx) {
    const n = ctx.smoke ? 2 : 100;
    const { rows: users } = await ctx.db.query<{ id: string; email: string }>(
      `select u.id, u.email from users u
       where u.email like 'teacher.%@seed.sabaq.local' and u.teacher_status = 'verified'
         and exists (select 1 from courses c where c.teacher_id = u.id)
       order by md5(u.id::text) limit $1`,
      [n],
    );
    const sessions = await login(
      ctx,
      users.map((u) => u.email),
    );
    const { rows } = await ctx.db.query<{ teacher_id: string; id: string; language: string; modules: string[]; lessons: string[] }>(
      `select c.teacher_id, c.id, c.language,
              array(select m.id from modules m where m.course_id = c.id order by m.position) as modules,
              array(select l.id from lessons l where l.course_id = c.id order by l.position limit 20) as lessons
       from courses c where c.teacher_id = any($1)`,
      [sessions.map((s) => s.userId)],
    );
    return {
      teachers: sessions.map((session) => ({
        session,
        courses: rows
          .filter((r) => r.teacher_id === session.userId)
          .map((r) => ({ id: r.id, lang: r.language, modules: r.modules, lessons: r.lessons })),
      })),
      edits: 0,
    };
  },
  unavailable: (s) => (s.teachers.some((t) => t.courses.length) ? undefined : 'no seeded teacher with courses could log in'),
  mix: [
    {
      endpoint: 'GET /api/teacher/courses',
      weight: 25,
      build: (s, rng) => {
        const t = s.teachers[rng.int(s.teachers.length)];
        return t ? { path: '/api/teacher/courses', headers: auth(t.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/teacher/courses/:id',
      weight: 25,
      build: (s, rng) => {
        const p = pick(s, rng);
        return p ? { path: `/api/teacher/courses/${p.c.id}`, headers: auth(p.t.session) } : null;
      },
    },
    {
      endpoint: 'PATCH /api/courses/:id',
      weight: 15,
      build: (s, rng) => {
        const p = pick(s, rng);
        const text = TEXT[p?.c.lang ?? 'ru']!;
        return p
          ? {
              path: `/api/courses/${p.c.id}`,
              headers: auth(p.t.session),
              body: { description: { [p.c.lang]: `${text.description} (${++s.edits})` } },
            }
          : null;
      },
    },
    {
      endpoint: 'PATCH /api/lessons/:id',
      weight: 20,
      build: (s, rng) => {
        const p = pick(s, rng);
        if (!p?.c.lessons.length) return null;
        const text = TEXT[p.c.lang]!;
        return {
          path: `/api/lessons/${p.c.lessons[rng.int(p.c.lessons.length)]}`,
          headers: auth(p.t.session),
          body: { body: { [p.c.lang]: `${text.body}\n\n${++s.edits}` } },
        };
      },
    },
    {
      endpoint: 'POST /api/courses/:id/modules',
      weight: 5,
      build: (s, rng) => {
        const p = pick(s, rng);
        return p
          ? { path: `/api/courses/${p.c.id}/modules`, headers: auth(p.t.session), body: { title: { [p.c.lang]: TEXT[p.c.lang]!.title } } }
          : null;
      },
    },
    {
      endpoint: 'POST /api/modules/:id/lessons',
      weight: 10,
      build: (s, rng) => {
        const p = pick(s, rng);
        if (!p?.c.modules.length) return null;
        const text = TEXT[p.c.lang]!;
        return {
          path: `/api/modules/${p.c.modules[rng.int(p.c.modules.length)]}/lessons`,
          headers: auth(p.t.session),
          body: { title: { [p.c.lang]: text.title }, body: { [p.c.lang]: text.body }, durationMin: 10 },
        };
      },
    },
  ],
};
