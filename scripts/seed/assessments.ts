/**
 * Assessment data: published questionnaires by verified teachers, and submitted attempts —
 * by learners and by parents for their children — with their answers and scored results.
 * Answers are pure functions of the attempt number; the result is scored from them in SQL
 * the way the app scores (reverse items as max − value), so results agree with answers.
 */
import type { SeedPlan } from './plan.ts';
import { lit } from './sql.ts';
import { inBatches, type TableSeeder } from './tables.ts';

const likert = (key: string, ru: string, kk: string, en: string, reverse = false) => ({
  key,
  type: 'likert',
  text: { ru, kk, en },
  min: 0,
  max: 4,
  scores: [{ scale: 'anxiety', reverse }],
});

const BANDS = [
  {
    min: 0,
    max: 11,
    label: { ru: 'норма', kk: 'қалыпты', en: 'typical' },
    text: { ru: 'Уровень тревожности в пределах нормы.', kk: 'Мазасыздық деңгейі қалыпты.', en: 'Anxiety is in the typical range.' },
  },
  {
    min: 12,
    max: 28,
    label: { ru: 'повышена', kk: 'жоғары', en: 'elevated' },
    text: {
      ru: 'Стоит обсудить результат со специалистом.',
      kk: 'Нәтижені маманмен талқылаған жөн.',
      en: 'Worth discussing with a specialist.',
    },
  },
];
const SCALE_TITLE = { ru: 'Тревожность', kk: 'Мазасыздық', en: 'Anxiety' };

/** The questionnaire every seeded test uses (titles differ), in the SPEC's test document format. */
export function seedTestDocument(n: number) {
  const grades = ['1–4', '5–7', '8–11'];
  const grade = grades[n % 3]!;
  return {
    kind: 'assessment',
    courseId: null,
    title: {
      ru: `Школьная тревожность, ${grade} классы (${n})`,
      kk: `Мектептегі мазасыздық, ${grade} сыныптар (${n})`,
      en: `School anxiety, grades ${grade} (${n})`,
    },
    timeLimitSec: 1200,
    scales: [{ key: 'anxiety', title: SCALE_TITLE, bands: BANDS }],
    questions: [
      likert('q1', 'Я волнуюсь перед контрольной работой', 'Бақылау жұмысы алдында уайымдаймын', 'I worry before a test'),
      likert(
        'q2',
        'Мне трудно уснуть накануне важного дня',
        'Маңызды күн алдында ұйықтай алмаймын',
        'I find it hard to sleep before a big day',
      ),
      likert(
        'q3',
        'Я спокойно отвечаю у доски',
        'Тақта алдында сабырлы жауап беремін',
        'I stay calm answering in front of the class',
        true,
      ),
      likert('q4', 'Я переживаю, что сделаю ошибку', 'Қате жіберемін деп қорқамын', 'I am afraid of making mistakes'),
      likert('q5', 'Мне легко заговорить с новыми людьми', 'Жаңа адамдармен оңай сөйлесемін', 'I talk easily to new people', true),
      likert('q6', 'Я часто думаю о плохих оценках', 'Жаман бағалар туралы жиі ойлаймын', 'I often think about bad marks'),
      {
        key: 'q7',
        type: 'single',
        text: { ru: 'Как ты чувствуешь себя в школе?', kk: 'Мектепте өзіңді қалай сезінесің?', en: 'How do you feel at school?' },
        options: [
          { key: 'a', text: { ru: 'Спокойно', kk: 'Сабырлы', en: 'Calm' }, scores: { anxiety: 0 } },
          { key: 'b', text: { ru: 'Иногда тревожно', kk: 'Кейде алаңдаймын', en: 'Sometimes anxious' }, scores: { anxiety: 2 } },
          {
            key: 'c',
            text: { ru: 'Почти всегда тревожно', kk: 'Әрдайым дерлік алаңдаймын', en: 'Almost always anxious' },
            scores: { anxiety: 4 },
          },
        ],
      },
    ],
  };
}

/** Seeded tests: a few per scale step, authored by verified teachers. */
export const testCount = (p: SeedPlan) => Math.max(2, Math.min(20, Math.round(20 * Math.sqrt(p.scale))));

const tests: TableSeeder = {
  table: 'tests',
  needs: ['users', 'test_versions'],
  async run(ctx) {
    const n = testCount(ctx.plan);
    const docs = Array.from({ length: n }, (_, i) => JSON.stringify(seedTestDocument(i + 1)));
    const c = await ctx.connect();
    try {
      await c.query('begin');
      const t = await c.query(
        `insert into tests (id, author_id, kind, latest_version, published_version, published_at, created_at, updated_at)
         select pg_temp.sid('test', t), pg_temp.sid('user', pg_temp.teacher_user(1 + (t - 1) % ${ctx.plan.verifiedTeachers})), 'assessment', 1, 1,
                timestamptz '2025-01-15' + make_interval(days => t::int), timestamptz '2025-01-10' + make_interval(days => t::int), timestamptz '2025-01-10' + make_interval(days => t::int)
         from generate_series(1, ${n}) t
         on conflict do nothing`,
      );
      await c.query(
        `insert into test_versions (id, test_id, version, status, document, published_at, created_at, updated_at)
         select pg_temp.sid('test_version', t), pg_temp.sid('test', t), 1, 'published', ($1::jsonb[])[t],
                timestamptz '2025-01-15' + make_interval(days => t::int), timestamptz '2025-01-10' + make_interval(days => t::int), timestamptz '2025-01-10' + make_interval(days => t::int)
         from generate_series(1, ${n}) t
         on conflict do nothing`,
        [docs],
      );
      await c.query('commit');
      return t.rowCount ?? 0;
    } catch (err) {
      await c.query('rollback').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  },
};

/**
 * Who took attempt n: 60 % a parent for one of their children (parents without children fall
 * back to a learner), 40 % a learner. Answers: likert q1–q6 = h(n, 90+q) % 5, q7 = a/b/c.
 */
const taker = (plan: SeedPlan) => `
  (select n,
          1 + pg_temp.h(n, 80) % ${testCount(plan)} as t,
          k, nkids,
          case when pg_temp.h(n, 81) % 10 < 6 and nkids > 0 then pg_temp.parent_user(k) else pg_temp.learner_user(1 + pg_temp.h(n, 84) % ${plan.learners}) end as u,
          case when pg_temp.h(n, 81) % 10 < 6 and nkids > 0 then pg_temp.sid('child', k * 4 + 1 + pg_temp.h(n, 82) % nkids) end as child,
          timestamptz '2025-02-01' + make_interval(secs => pg_temp.h(n, 83) % (600 * 86400)) as started
   from (select n, k, case when pg_temp.h(k, 110) % 10 < 4 then 0 when pg_temp.h(k, 110) % 10 < 7 then 1 when pg_temp.h(k, 110) % 10 < 9 then 2 else 3 end as nkids
         from (select n, 1 + pg_temp.h(n, 85) % ${plan.parents} as k from generate_series($1::bigint, $2::bigint) n) a) b) x`;

const attempts: TableSeeder = {
  table: 'attempts',
  needs: ['tests', 'children'],
  expected: (p) => p.attempts,
  run: (ctx) =>
    inBatches(
      ctx,
      'attempts',
      ctx.plan.attempts,
      10_000,
      async (c, lo, hi) =>
        (
          await c.query(
            `insert into attempts (id, test_id, version_id, version, user_id, child_id, status, started_at, deadline_at, submitted_at, created_at)
           select pg_temp.sid('attempt', n), pg_temp.sid('test', t), pg_temp.sid('test_version', t), 1, pg_temp.sid('user', u), child,
                  'submitted', started, started + interval '20 minutes', started + make_interval(secs => 300 + pg_temp.h(n, 86) % 900), started
           from ${taker(ctx.plan)}
           on conflict do nothing`,
            [lo, hi],
          )
        ).rowCount ?? 0,
    ),
};

const attemptAnswers: TableSeeder = {
  table: 'attempt_answers',
  needs: ['attempts'],
  run: (ctx) =>
    inBatches(
      ctx,
      'attempt_answers',
      ctx.plan.attempts,
      10_000,
      async (c, lo, hi) =>
        (
          await c.query(
            `insert into attempt_answers (attempt_id, question_key, answer, created_at, updated_at)
           select pg_temp.sid('attempt', n), 'q' || q,
                  case when q <= 6 then jsonb_build_object('value', pg_temp.h(n, 90 + q) % 5)
                       else jsonb_build_object('option', (array['a', 'b', 'c'])[1 + pg_temp.h(n, 97) % 3]) end,
                  timestamptz '2025-02-01' + make_interval(secs => pg_temp.h(n, 83) % (600 * 86400) + q * 60),
                  timestamptz '2025-02-01' + make_interval(secs => pg_temp.h(n, 83) % (600 * 86400) + q * 60)
           from generate_series($1::bigint, $2::bigint) n, generate_series(1, 7) q
           on conflict do nothing`,
            [lo, hi],
          )
        ).rowCount ?? 0,
    ),
};

/** Scored like the app: likert q3 and q5 reversed (4 − value), q7 adds 0/2/4; band 0 up to 11. */
const SCORE = `(
  pg_temp.h(n, 91) % 5 + pg_temp.h(n, 92) % 5 + (4 - pg_temp.h(n, 93) % 5) + pg_temp.h(n, 94) % 5 + (4 - pg_temp.h(n, 95) % 5) + pg_temp.h(n, 96) % 5
  + (pg_temp.h(n, 97) % 3) * 2)::int`;

const results: TableSeeder = {
  table: 'results',
  needs: ['attempts', 'attempt_answers'],
  run: (ctx) =>
    inBatches(
      ctx,
      'results',
      ctx.plan.attempts,
      10_000,
      async (c, lo, hi) =>
        (
          await c.query(
            `insert into results (id, attempt_id, test_id, version_id, version, kind, user_id, child_id, scales, submitted_at, created_at)
           select pg_temp.sid('result', x.n), pg_temp.sid('attempt', x.n), pg_temp.sid('test', t), pg_temp.sid('test_version', t), 1, 'assessment',
                  pg_temp.sid('user', u), child,
                  jsonb_build_array(jsonb_build_object('key', 'anxiety', 'title', ${lit(JSON.stringify(SCALE_TITLE))}::jsonb, 'score', s.score, 'min', 0, 'max', 28,
                    'bandIndex', case when s.score <= 11 then 0 else 1 end,
                    'band', (${lit(JSON.stringify(BANDS.map((b) => ({ label: b.label, text: b.text }))))}::jsonb) -> (case when s.score <= 11 then 0 else 1 end))),
                  started + make_interval(secs => 300 + pg_temp.h(x.n, 86) % 900), started + make_interval(secs => 300 + pg_temp.h(x.n, 86) % 900)
           from ${taker(ctx.plan)}
           cross join lateral (select ${SCORE.replace(/\bn\b/g, 'x.n')} as score) s
           on conflict do nothing`,
            [lo, hi],
          )
        ).rowCount ?? 0,
    ),
};

/** Assessment seeders, in dependency order (tests carry their versions). */
export const ASSESSMENT_SEEDERS: TableSeeder[] = [tests, attempts, attemptAnswers, results];
