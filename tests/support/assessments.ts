/** Test documents and taking helpers, through the real API. */
import { CONSENT_VERSIONS } from '../../workers/consent/consent.ts';
import { api, show } from './http.ts';
import { registerUser, verifiedTeacher, type TestUser } from './users.ts';

type Doc = Record<string, any>;

/** Kazakh letters the PDF must render: ә ғ қ ң ө ұ ү һ і. */
export const KAZAKH_LETTERS = 'әғқңөұүһі';

/**
 * An anxiety questionnaire in ru/kk/en: two scales, a reverse-scored Likert item, a single and
 * a multiple choice item and a free-text item. Max scores: anxiety 4+4+2+3 = 13, mood 1+2 = 3.
 */
export function assessmentDoc(overrides: Doc = {}): Doc {
  return {
    kind: 'assessment',
    courseId: null,
    title: { ru: 'Шкала тревожности', kk: 'Мазасыздық шкаласы', en: 'Anxiety scale' },
    timeLimitSec: 1200,
    scales: [
      {
        key: 'anxiety',
        title: { ru: 'Тревожность', kk: 'Мазасыздық', en: 'Anxiety' },
        bands: [
          {
            min: 0,
            max: 7,
            label: { ru: 'норма', kk: 'қалыпты деңгей', en: 'typical' },
            text: { ru: 'Тревожность в пределах нормы.', kk: 'Мазасыздық қалыпты, бәрі жақсы.', en: 'Anxiety is typical.' },
          },
          {
            min: 8,
            max: 20,
            label: { ru: 'повышена', kk: 'жоғары деңгей', en: 'elevated' },
            text: {
              ru: 'Тревожность повышена.',
              kk: 'Мазасыздық жоғары: маманмен сөйлесіңіз, өңір һәм үй іші.',
              en: 'Anxiety is elevated.',
            },
          },
        ],
      },
      {
        key: 'mood',
        title: { ru: 'Настроение', kk: 'Көңіл-күй', en: 'Mood' },
        bands: [
          {
            min: 0,
            max: 1,
            label: { ru: 'ровное', kk: 'тұрақты', en: 'steady' },
            text: { ru: 'Настроение ровное.', kk: 'Көңіл-күй тұрақты.', en: 'Mood is steady.' },
          },
          {
            min: 2,
            max: 3,
            label: { ru: 'изменчивое', kk: 'құбылмалы', en: 'changeable' },
            text: { ru: 'Настроение меняется.', kk: 'Көңіл-күй құбылмалы.', en: 'Mood changes.' },
          },
        ],
      },
    ],
    questions: [
      {
        key: 'q1',
        type: 'likert',
        text: { ru: 'Я волнуюсь', kk: 'Мен уайымдаймын', en: 'I worry' },
        min: 0,
        max: 4,
        scores: [{ scale: 'anxiety', reverse: false }],
      },
      {
        key: 'q2',
        type: 'likert',
        text: { ru: 'Я спокоен', kk: 'Мен тыныштымын', en: 'I am calm' },
        min: 0,
        max: 4,
        scores: [{ scale: 'anxiety', reverse: true }],
      },
      {
        key: 'q3',
        type: 'single',
        text: { ru: 'Сон', kk: 'Ұйқы', en: 'Sleep' },
        options: [
          { key: 'a', text: { ru: 'плохо', kk: 'нашар', en: 'bad' }, scores: { anxiety: 2, mood: 1 } },
          { key: 'b', text: { ru: 'хорошо', kk: 'жақсы', en: 'good' }, scores: { anxiety: 0 } },
        ],
      },
      {
        key: 'q4',
        type: 'multiple',
        text: { ru: 'Что беспокоит?', kk: 'Не мазалайды?', en: 'What bothers you?' },
        options: [
          { key: 'x', text: { ru: 'школа', kk: 'мектеп', en: 'school' }, scores: { anxiety: 1 } },
          { key: 'y', text: { ru: 'друзья', kk: 'достар', en: 'friends' }, scores: { anxiety: 2, mood: 2 } },
          { key: 'z', text: { ru: 'ничего', kk: 'ештеңе', en: 'nothing' } },
        ],
      },
      { key: 'q5', type: 'text', text: { ru: 'Расскажите', kk: 'Айтып беріңіз', en: 'Tell us' } },
    ],
    ...overrides,
  };
}

/** A quiz: one single, one multiple (a and c correct), pass mark 0.5. */
export function quizDoc(overrides: Doc = {}): Doc {
  return {
    kind: 'quiz',
    courseId: null,
    title: { ru: 'Квиз по математике', en: 'Maths quiz' },
    timeLimitSec: 600,
    passMark: 0.5,
    questions: [
      {
        key: 's1',
        type: 'single',
        text: { ru: '2 + 2 = ?' },
        options: [
          { key: 'a', text: { ru: '4' }, correct: true },
          { key: 'b', text: { ru: '5' } },
        ],
      },
      {
        key: 'm1',
        type: 'multiple',
        text: { ru: 'Чётные числа' },
        options: [
          { key: 'a', text: { ru: '2' }, correct: true },
          { key: 'b', text: { ru: '3' } },
          { key: 'c', text: { ru: '4' }, correct: true },
        ],
      },
    ],
    ...overrides,
  };
}

export async function expectStatus<T = any>(
  res: Promise<{ status: number; body: T; text: string; headers: Headers }>,
  expected: number,
): Promise<T> {
  const r = await res;
  if (r.status !== expected) throw new Error(`expected ${expected}, got ${show(r as any)}`);
  return r.body;
}

export async function createTest(author: TestUser, doc: Doc = assessmentDoc()) {
  return expectStatus(api('POST', '/api/tests', { token: author.token, body: doc }), 201);
}

export async function publish(author: TestUser, testId: string) {
  return expectStatus(api('POST', `/api/tests/${testId}/publish`, { token: author.token }), 200);
}

/** A published test and its verified author. */
export async function publishedTest(doc: Doc = assessmentDoc(), author?: TestUser) {
  const teacher = author ?? (await verifiedTeacher());
  const test = await createTest(teacher, doc);
  await publish(teacher, test.id);
  return { teacher, test };
}

export async function startAttempt(user: TestUser, testId: string, childId?: string) {
  return expectStatus(api('POST', `/api/tests/${testId}/attempts`, { token: user.token, body: childId ? { childId } : {} }), 201);
}

export const answer = (user: TestUser, attemptId: string, key: string, body: unknown) =>
  api('PUT', `/api/attempts/${attemptId}/answers/${key}`, { token: user.token, body });

export async function submit(user: TestUser, attemptId: string) {
  return expectStatus(api('POST', `/api/attempts/${attemptId}/submit`, { token: user.token }), 200);
}

export async function createChild(parent: TestUser, name = 'Әлихан Құрманғали', language: 'ru' | 'kk' | 'en' = 'kk') {
  return expectStatus(
    api('POST', '/api/me/children', {
      token: parent.token,
      body: { name, birthYear: 2015, language, consent: { version: CONSENT_VERSIONS.child_data } },
    }),
    201,
  );
}

/** A parent whose child completed the assessment: anxiety 4 + (4 − 1) + 2 + 2 = 11 of 13 ("elevated"), mood 1 + 2 = 3 of 3 ("changeable"). */
export async function childResult(opts: { childName?: string; language?: 'ru' | 'kk' | 'en' } = {}) {
  const { teacher, test } = await publishedTest();
  const parent = await registerUser('parent');
  const child = await createChild(parent, opts.childName, opts.language);
  const attempt = await startAttempt(parent, test.id, child.id);
  for (const [key, body] of [
    ['q1', { value: 4 }],
    ['q2', { value: 1 }],
    ['q3', { option: 'a' }],
    ['q4', { options: ['y'] }],
    ['q5', { text: 'Мектепте қиын' }],
  ] as const) {
    await expectStatus(answer(parent, attempt.id, key, body), 200);
  }
  const result = await submit(parent, attempt.id);
  return { teacher, test, parent, child, attempt, result };
}
