import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Answer, TestDocument } from '../../db/schema/index.ts';
import { scoreAttempt } from '../../workers/assessments/scoring.ts';
import { renderLesson } from '../../workers/catalog/markdown.ts';
import { hashPassword } from '../../workers/identity/password.ts';
import { DEMO_CATEGORIES, DEMO_COURSES, type DemoCourse } from './demo/courses.ts';
import { DEMO_SPECIALIST } from './demo/specialists.ts';
import { ANXIETY_SCREENING, DEMO_ASSESSMENTS, DEMO_QUIZZES, type DemoTest } from './demo/tests.ts';
import { HORIZON_DAYS, MIN_NOTICE_HOURS, firstFreeSlot } from '../../workers/consultations/slots.ts';

export { DEMO_CATEGORIES, DEMO_COURSES } from './demo/courses.ts';

/**
 * The demo catalog of a fresh `npm start` (local development only, never `seed:scale` or
 * production): the courses of demo/courses.ts with their lessons, the quizzes and the two
 * screenings of demo/tests.ts, a few reviews by demo learners, the demo parent's child with
 * finished screenings, and the demo teacher as a listed specialist (demo/specialists.ts). Every part is found again by a stable title and skipped when present,
 * so this runs on every start.
 */

const titleKey = (t: { ru?: string; kk?: string; en?: string }) => t.en || t.ru || t.kk || '';

async function idOf(client: pg.Client, email: string): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>('select id from users where email = $1', [email]);
  return rows[0]?.id;
}

async function inTransaction<T>(client: pg.Client, body: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const out = await body();
    await client.query('commit');
    return out;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

async function seedCourse(client: pg.Client, teacherId: string, c: DemoCourse, i: number): Promise<string> {
  const { rows: found } = await client.query<{ id: string }>(
    `select id from courses where teacher_id = $1 and coalesce(title->>'en', title->>'ru', title->>'kk') = $2 limit 1`,
    [teacherId, titleKey(c.title)],
  );
  if (found[0]) return found[0].id;
  return inTransaction(client, async () => {
    const { rows } = await client.query<{ id: string }>(
      `insert into courses (teacher_id, category_id, title, description, outcomes, language, level, tags, price_amount, published, published_at, featured, featured_rank)
       values ($1, (select id from categories where slug = $2), $3, $4, $5, $6, $7, $8, $9, true, now() - ($10 || ' hours')::interval, $11, $12) returning id`,
      [
        teacherId,
        c.category,
        c.title,
        c.description,
        JSON.stringify(c.outcomes ?? []),
        c.language,
        c.level,
        c.tags,
        c.price,
        String(i),
        c.featured,
        i,
      ],
    );
    const courseId = rows[0]!.id;
    for (const [m, mod] of c.modules.entries()) {
      const { rows: inserted } = await client.query<{ id: string }>(
        'insert into modules (course_id, title, position) values ($1, $2, $3) returning id',
        [courseId, mod.title, m],
      );
      for (const [l, lesson] of mod.lessons.entries()) {
        const html = Object.fromEntries(Object.entries(lesson.body).map(([k, v]) => [k, renderLesson(v)]));
        await client.query(
          `insert into lessons (module_id, course_id, title, body, body_html, video_url, preview, duration_min, position)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [inserted[0]!.id, courseId, lesson.title, lesson.body, html, lesson.video ?? null, lesson.preview ?? false, lesson.minutes, l],
        );
      }
    }
    return courseId;
  });
}

async function seedTest(client: pg.Client, authorId: string, test: DemoTest, courseId: string | null): Promise<string> {
  const title = titleKey(test.document.title);
  const { rows: found } = await client.query<{ id: string }>(
    `select t.id from tests t join test_versions v on v.test_id = t.id
      where t.author_id = $1 and coalesce(v.document->'title'->>'en', v.document->'title'->>'ru') = $2 limit 1`,
    [authorId, title],
  );
  if (found[0]) return found[0].id;
  const document = { ...test.document, courseId };
  return inTransaction(client, async () => {
    const { rows } = await client.query<{ id: string }>(
      `insert into tests (author_id, kind, course_id, latest_version, published_version, published_at) values ($1, $2, $3, 1, 1, now()) returning id`,
      [authorId, document.kind, courseId],
    );
    await client.query(
      `insert into test_versions (test_id, version, status, document, published_at) values ($1, 1, 'published', $2, now())`,
      [rows[0]!.id, JSON.stringify(document)],
    );
    return rows[0]!.id;
  });
}

const REVIEWERS = [
  { email: 'aliya.reviewer@sabaq.local', name: 'Алия Нурланова', language: 'ru' },
  { email: 'timur.reviewer@sabaq.local', name: 'Тимур Ахметов', language: 'kk' },
  { email: 'sam.reviewer@sabaq.local', name: 'Sam Carter', language: 'en' },
] as const;

/** [course key, reviewer index, stars, text] */
const REVIEWS: [string, number, number, string][] = [
  ['math-basics', 0, 5, 'Наконец-то поняла проценты! Пример со скидкой «50% и ещё 50%» открыл глаза. Сын тоже прошёл курс.'],
  ['math-basics', 2, 4, 'Clear explanations and honest exercises with answers. I would love a few more word problems.'],
  ['kazakh-first-steps', 1, 5, 'Сингармонизм туралы өте түсінікті жазылған. Балаларға да ұнады, рақмет!'],
  ['kazakh-first-steps', 0, 5, 'Отличный старт: короткие уроки, перевод рядом, можно заниматься по 10 минут в день.'],
  ['python-basics', 2, 5, 'The quiz game project at the end tied everything together. Good pace for a beginner.'],
  ['child-emotions', 0, 5, 'Урок про то, как говорить о чувствах, изменил наши вечера. Спокойно и без нравоучений.'],
  ['child-emotions', 1, 4, 'Пайдалы курс. Маманға қашан жүгіну керектігі туралы бөлім әсіресе маңызды.'],
  ['learning-how-to-learn', 2, 5, 'Active recall and spaced repetition, explained in ten minutes. My grades noticed.'],
  ['web-html-css', 2, 4, 'Built my first page in an evening. The 360 px tip saved me later.'],
];

/** Reviewers cannot log in with a known password (random, never stored): they only sign reviews. */
async function seedReviews(client: pg.Client, courses: Map<string, string>, pepper: string): Promise<void> {
  const ids: string[] = [];
  for (const r of REVIEWERS) {
    const hash = await hashPassword(randomBytes(18).toString('base64url'), pepper);
    await client.query(
      `insert into users (email, password_hash, name, language, role) values ($1, $2, $3, $4, 'learner') on conflict (email) do nothing`,
      [r.email, hash, r.name, r.language],
    );
    ids.push((await idOf(client, r.email))!);
  }
  for (const [key, who, rating, text] of REVIEWS) {
    const courseId = courses.get(key);
    const userId = ids[who];
    if (!courseId || !userId) continue;
    await inTransaction(client, async () => {
      const { rowCount: enrolled } = await client.query(
        `insert into enrollments (user_id, course_id) values ($1, $2) on conflict (user_id, course_id) do nothing`,
        [userId, courseId],
      );
      if (enrolled)
        await client.query('update courses set enrollment_count = enrollment_count + 1, popularity = popularity + 1 where id = $1', [
          courseId,
        ]);
      const { rowCount } = await client.query(
        `insert into reviews (course_id, user_id, rating, text) values ($1, $2, $3, $4) on conflict (course_id, user_id) do nothing`,
        [courseId, userId, rating, text],
      );
      // The course's counters change with the review, as the reviews domain keeps them.
      if (rowCount)
        await client.query(
          `update courses set rating_sum = rating_sum + $2, rating_count = rating_count + 1,
             rating_avg = round((rating_sum + $2)::numeric / (rating_count + 1), 2) where id = $1`,
          [courseId, rating],
        );
    });
  }
}

/** Two finished anxiety screenings a month apart, so the parent page shows a result and a trend. */
const CHILD_ANSWERS: Record<string, number>[] = [
  { worry: 2, school: 3, body: 2, sleep: 1, separation: 1, reassurance: 2, avoid: 1, mistakes: 2, new: 1, tense: 1 },
  { worry: 1, school: 2, body: 1, sleep: 1, separation: 0, reassurance: 1, avoid: 1, mistakes: 1, new: 1, tense: 0 },
];

async function seedChild(client: pg.Client, parentId: string, testId: string): Promise<void> {
  const { rows: kids } = await client.query<{ id: string }>('select id from children where parent_id = $1 and name = $2', [
    parentId,
    'Алихан',
  ]);
  if (kids[0]) return;
  const { rows: version } = await client.query<{ id: string; document: TestDocument }>(
    'select id, document from test_versions where test_id = $1 and version = 1',
    [testId],
  );
  const v = version[0];
  if (!v) return;
  await inTransaction(client, async () => {
    const { rows } = await client.query<{ id: string }>(
      `insert into children (parent_id, name, birth_year, language) values ($1, 'Алихан', extract(year from now())::int - 9, 'ru') returning id`,
      [parentId],
    );
    const childId = rows[0]!.id;
    for (const [i, values] of CHILD_ANSWERS.entries()) {
      const daysAgo = (CHILD_ANSWERS.length - i) * 30;
      const answers: Record<string, Answer> = Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
      const outcome = scoreAttempt(v.document, answers);
      const { rows: attempt } = await client.query<{ id: string }>(
        `insert into attempts (test_id, version_id, version, user_id, child_id, status, started_at, submitted_at, created_at)
         values ($1, $2, 1, $3, $4, 'submitted', now() - ($5 || ' days')::interval - interval '6 minutes',
                 now() - ($5 || ' days')::interval, now() - ($5 || ' days')::interval) returning id`,
        [testId, v.id, parentId, childId, String(daysAgo)],
      );
      for (const [key, answer] of Object.entries(answers)) {
        await client.query('insert into attempt_answers (attempt_id, question_key, answer) values ($1, $2, $3)', [
          attempt[0]!.id,
          key,
          JSON.stringify(answer),
        ]);
      }
      await client.query(
        `insert into results (attempt_id, test_id, version_id, version, kind, user_id, child_id, scales, submitted_at, created_at)
         values ($1, $2, $3, 1, 'assessment', $4, $5, $6, now() - ($7 || ' days')::interval, now() - ($7 || ' days')::interval)`,
        [attempt[0]!.id, testId, v.id, parentId, childId, JSON.stringify(outcome.scales), String(daysAgo)],
      );
    }
  });
}

/**
 * The demo teacher as a listed specialist with its session types and weekly hours, created
 * once (a profile the teacher has edited is left alone). Its next free slot is computed here
 * on every start, so it is right before the first minute's cron (local/cron-ticker.ts) runs.
 */
export async function seedDemoSpecialist(client: pg.Client, teacherId: string, now = Date.now()): Promise<void> {
  const d = DEMO_SPECIALIST;
  await inTransaction(client, async () => {
    const { rowCount } = await client.query(
      `insert into specialists (id, bio, languages, specialties, time_zone, buffer_minutes, verified, verified_at, min_price)
       values ($1, $2, $3, $4, $5, $6, true, now(), $7) on conflict (id) do nothing`,
      [
        teacherId,
        JSON.stringify(d.bio),
        d.languages,
        d.specialties,
        d.timeZone,
        d.bufferMinutes,
        Math.min(...d.sessionTypes.map((t) => t.price)),
      ],
    );
    if (!rowCount) return;
    for (const t of d.sessionTypes) {
      await client.query(
        `insert into specialist_session_types (specialist_id, duration_minutes, price_amount, currency) values ($1, $2, $3, 'KZT')`,
        [teacherId, t.durationMinutes, t.price],
      );
    }
    for (const r of d.rules) {
      await client.query('insert into availability_rules (specialist_id, weekday, start_minute, end_minute) values ($1, $2, $3, $4)', [
        teacherId,
        r.weekday,
        r.startMinute,
        r.endMinute,
      ]);
    }
  });
  // Whatever the profile is now (edited, booked): the same computation as the Worker's.
  const day = 86_400_000;
  const from = new Date(now + MIN_NOTICE_HOURS * 3_600_000 - day).toISOString().slice(0, 10);
  const to = new Date(now + (HORIZON_DAYS + 1) * day).toISOString().slice(0, 10);
  // One client: one query at a time.
  const head = await client.query<{ time_zone: string; buffer_minutes: number }>(
    'select time_zone, buffer_minutes from specialists where id = $1',
    [teacherId],
  );
  const types = await client.query<{ d: number }>(
    'select duration_minutes as d from specialist_session_types where specialist_id = $1 and active',
    [teacherId],
  );
  const rules = await client.query<{ weekday: number; startMinute: number; endMinute: number }>(
    'select weekday, start_minute as "startMinute", end_minute as "endMinute" from availability_rules where specialist_id = $1',
    [teacherId],
  );
  const exceptions = await client.query<{ date: string; kind: 'off' | 'extra'; startMinute: number | null; endMinute: number | null }>(
    `select to_char(date, 'YYYY-MM-DD') as date, kind, start_minute as "startMinute", end_minute as "endMinute"
         from availability_exceptions where specialist_id = $1 and date between $2 and $3`,
    [teacherId, from, to],
  );
  const busy = await client.query<{ start: Date; end: Date }>(
    `select starts_at as start, occupied_until as end from bookings where specialist_id = $1
         and (status = 'confirmed' or (status = 'hold' and hold_expires_at > now())) and occupied_until > now()`,
    [teacherId],
  );
  const h = head.rows[0];
  if (!h) return;
  const at = firstFreeSlot(
    {
      timeZone: h.time_zone,
      bufferMinutes: h.buffer_minutes,
      rules: rules.rows,
      exceptions: exceptions.rows,
      busy: busy.rows.map((b) => ({ start: b.start.getTime(), end: b.end.getTime() })),
    },
    types.rows.map((t) => t.d),
    from,
    to,
    now,
  );
  await client.query('update specialists set next_free_at = $2, next_free_checked_at = now() where id = $1', [
    teacherId,
    at === null ? null : new Date(at),
  ]);
}

export interface DemoCatalogAccounts {
  teacherEmail: string;
  parentEmail: string;
  pepper: string;
}

/** Seeds what is missing; returns the number of demo courses present. */
export async function seedDemoCatalog(client: pg.Client, accounts: DemoCatalogAccounts): Promise<number> {
  const teacherId = await idOf(client, accounts.teacherEmail);
  if (!teacherId) return 0;
  for (const [i, c] of DEMO_CATEGORIES.entries()) {
    await client.query('insert into categories (slug, title, position) values ($1, $2, $3) on conflict (slug) do nothing', [
      c.slug,
      c.title,
      i,
    ]);
  }
  const courses = new Map<string, string>();
  for (const [i, c] of DEMO_COURSES.entries()) courses.set(c.key, await seedCourse(client, teacherId, c, i));
  for (const quiz of DEMO_QUIZZES) await seedTest(client, teacherId, quiz, quiz.course ? (courses.get(quiz.course) ?? null) : null);
  const assessments = new Map<string, string>();
  for (const a of DEMO_ASSESSMENTS) assessments.set(a.key, await seedTest(client, teacherId, a, null));
  await seedReviews(client, courses, accounts.pepper);
  const parentId = await idOf(client, accounts.parentEmail);
  const anxiety = assessments.get(ANXIETY_SCREENING.key);
  if (parentId && anxiety) await seedChild(client, parentId, anxiety);
  await seedDemoSpecialist(client, teacherId);
  return courses.size;
}
