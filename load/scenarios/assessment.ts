/**
 * Taking an assessment, as a session (each step depends on the last): start an attempt,
 * reload it, answer every question with a pause to think, submit, read the result. The test
 * is created and published through the API at setup by a seeded verified teacher.
 * No budget in SPEC; reported for information.
 */
import type { Scenario } from '../lib/scenario.ts';
import { auth, login, type Session } from './data.ts';

interface Question {
  key: string;
  type: 'likert' | 'single' | 'multiple' | 'text';
}

interface State {
  testId?: string;
  questions: Question[];
  learners: Session[];
  problem?: string;
}

const likert = (key: string, ru: string, reverse = false) => ({
  key,
  type: 'likert',
  text: { ru },
  min: 0,
  max: 4,
  scores: [{ scale: 'anxiety', reverse }],
});

/** A small anxiety questionnaire in the SPEC's test document format. */
export const ASSESSMENT = {
  kind: 'assessment',
  courseId: null,
  title: { ru: 'Шкала тревожности (нагрузочный тест)', kk: 'Мазасыздық шкаласы (жүктеме тесті)', en: 'Anxiety scale (load test)' },
  timeLimitSec: 1200,
  scales: [
    {
      key: 'anxiety',
      title: { ru: 'Тревожность', kk: 'Мазасыздық', en: 'Anxiety' },
      bands: [
        { min: 0, max: 11, label: { ru: 'норма', kk: 'қалыпты', en: 'typical' }, text: { ru: 'Уровень тревожности в пределах нормы.' } },
        {
          min: 12,
          max: 40,
          label: { ru: 'повышена', kk: 'жоғары', en: 'elevated' },
          text: { ru: 'Стоит обсудить результат со специалистом.' },
        },
      ],
    },
  ],
  questions: [
    likert('q1', 'Я волнуюсь перед контрольной работой'),
    likert('q2', 'Мне трудно уснуть накануне важного дня'),
    likert('q3', 'Я спокойно отвечаю у доски', true),
    likert('q4', 'Я переживаю, что сделаю ошибку'),
    likert('q5', 'Мне легко заговорить с новыми людьми', true),
    likert('q6', 'Я часто думаю о плохих оценках'),
    {
      key: 'q7',
      type: 'single',
      text: { ru: 'Как ты чувствуешь себя в школе?' },
      options: [
        { key: 'a', text: { ru: 'Спокойно' }, scores: { anxiety: 0 } },
        { key: 'b', text: { ru: 'Иногда тревожно' }, scores: { anxiety: 2 } },
        { key: 'c', text: { ru: 'Почти всегда тревожно' }, scores: { anxiety: 4 } },
      ],
    },
    { key: 'q8', type: 'text', text: { ru: 'Что помогает тебе успокоиться?' } },
  ],
};

const ANSWERS = ['Музыка', 'Прогулка с друзьями', 'Спорт', 'Разговор с мамой'];

export const assessmentScenario: Scenario<State> = {
  name: 'assessment',
  title: 'assessment taking (sessions)',
  description: 'Learners start an attempt, answer eight questions with think time, submit and read the result.',
  thinkTimeMs: 3000,
  async setup(ctx) {
    const { rows: teachers } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'teacher.%@seed.sabaq.local' and teacher_status = 'verified' order by email limit 1`,
    );
    const [teacher] = await login(
      ctx,
      teachers.map((t) => t.email),
    );
    if (!teacher) return { questions: [], learners: [], problem: 'no verified seeded teacher' };
    const created = await ctx.client.send({
      endpoint: 'setup',
      method: 'POST',
      path: '/api/tests',
      headers: auth(teacher),
      body: ASSESSMENT,
      readBody: true,
    });
    const testId = (created.body as { id?: string } | undefined)?.id;
    if (created.status !== 201 || !testId) return { questions: [], learners: [], problem: `POST /api/tests answered ${created.status}` };
    const published = await ctx.client.send({
      endpoint: 'setup',
      method: 'POST',
      path: `/api/tests/${testId}/publish`,
      headers: auth(teacher),
    });
    if (published.status !== 200) return { questions: [], learners: [], problem: `publishing the test answered ${published.status}` };
    const { rows: users } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'learner.%@seed.sabaq.local' order by md5(id::text || 'assess') limit $1`,
      [ctx.smoke ? 3 : 100],
    );
    return {
      testId,
      questions: ASSESSMENT.questions.map((q) => ({ key: q.key, type: q.type as Question['type'] })),
      learners: await login(
        ctx,
        users.map((u) => u.email),
      ),
    };
  },
  unavailable: (s) => s.problem ?? (s.learners.length ? undefined : 'no seeded learner could log in'),
  async flow({ state, rng, send, think }) {
    const me = state.learners[rng.int(state.learners.length)]!;
    const h = auth(me);
    const started = await send({
      endpoint: 'POST /api/tests/:id/attempts',
      method: 'POST',
      path: `/api/tests/${state.testId}/attempts`,
      headers: h,
      body: {},
      readBody: true,
    });
    const attemptId = (started.body as { id?: string } | undefined)?.id;
    if (!started.ok || !attemptId) return;
    await think();
    await send({ endpoint: 'GET /api/attempts/:id', method: 'GET', path: `/api/attempts/${attemptId}`, headers: h });
    for (const q of state.questions) {
      await think();
      const body =
        q.type === 'likert'
          ? { value: rng.int(5) }
          : q.type === 'single'
            ? { option: rng.pick(['a', 'b', 'c']) }
            : { text: rng.pick(ANSWERS) };
      await send({
        endpoint: 'PUT /api/attempts/:id/answers/:questionKey',
        method: 'PUT',
        path: `/api/attempts/${attemptId}/answers/${q.key}`,
        headers: h,
        body,
      });
    }
    await think();
    const submitted = await send({
      endpoint: 'POST /api/attempts/:id/submit',
      method: 'POST',
      path: `/api/attempts/${attemptId}/submit`,
      headers: h,
      readBody: true,
    });
    const resultId = (submitted.body as { id?: string } | undefined)?.id;
    if (!resultId) return;
    await send({ endpoint: 'GET /api/results/:id', method: 'GET', path: `/api/results/${resultId}`, headers: h });
  },
};
