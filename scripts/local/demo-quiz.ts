import type pg from 'pg';

/** The demo teacher's published quiz for live games (the host screen needs one to start). */
export const DEMO_QUIZ_TITLE = { ru: 'Живая викторина: Казахстан', kk: 'Тікелей викторина: Қазақстан', en: 'Live quiz: Kazakhstan' };

const t = (en: string, ru: string, kk: string) => ({ en, ru, kk });

export const demoQuizDocument = {
  kind: 'quiz',
  courseId: null,
  title: DEMO_QUIZ_TITLE,
  description: t(
    'Four quick questions to try a live game.',
    'Четыре быстрых вопроса, чтобы попробовать живую игру.',
    'Тікелей ойынды көруге арналған төрт жылдам сұрақ.',
  ),
  timeLimitSec: null,
  passMark: 0.5,
  scales: [],
  questions: [
    {
      key: 'capital',
      type: 'single',
      text: t('The capital of Kazakhstan?', 'Столица Казахстана?', 'Қазақстанның астанасы?'),
      options: [
        { key: 'a', text: t('Almaty', 'Алматы', 'Алматы') },
        { key: 'b', text: t('Astana', 'Астана', 'Астана'), correct: true },
        { key: 'c', text: t('Shymkent', 'Шымкент', 'Шымкент') },
        { key: 'd', text: t('Karaganda', 'Караганда', 'Қарағанды') },
      ],
    },
    {
      key: 'sea',
      type: 'single',
      text: t('Which sea does Kazakhstan border?', 'С каким морем граничит Казахстан?', 'Қазақстан қай теңізбен шектеседі?'),
      options: [
        { key: 'a', text: t('Caspian', 'Каспийское', 'Каспий'), correct: true },
        { key: 'b', text: t('Black', 'Чёрное', 'Қара') },
      ],
    },
    {
      key: 'letters',
      type: 'multiple',
      text: t('Which letters are in the Kazakh alphabet?', 'Какие буквы есть в казахском алфавите?', 'Қазақ әліпбиінде қай әріптер бар?'),
      options: [
        { key: 'a', text: t('Ә', 'Ә', 'Ә'), correct: true },
        { key: 'b', text: t('Ñ (Spanish)', 'Ñ (испанская)', 'Ñ (испан)') },
        { key: 'c', text: t('Ұ', 'Ұ', 'Ұ'), correct: true },
      ],
    },
    {
      key: 'sum',
      type: 'single',
      text: t('7 × 8 = ?', '7 × 8 = ?', '7 × 8 = ?'),
      options: [
        { key: 'a', text: t('54', '54', '54') },
        { key: 'b', text: t('56', '56', '56'), correct: true },
        { key: 'c', text: t('64', '64', '64') },
      ],
    },
  ],
};

/** Idempotent: the quiz is created once per teacher (found again by its English title). */
export async function seedDemoQuiz(client: pg.Client, teacherEmail: string): Promise<void> {
  const { rows: teachers } = await client.query<{ id: string }>('select id from users where email = $1', [teacherEmail]);
  const teacherId = teachers[0]?.id;
  if (!teacherId) return;
  const { rows: existing } = await client.query(
    `select 1 from tests t join test_versions v on v.test_id = t.id where t.author_id = $1 and v.document->'title'->>'en' = $2 limit 1`,
    [teacherId, DEMO_QUIZ_TITLE.en],
  );
  if (existing.length) return;
  await client.query('begin');
  try {
    const { rows } = await client.query<{ id: string }>(
      `insert into tests (author_id, kind, latest_version, published_version, published_at) values ($1, 'quiz', 1, 1, now()) returning id`,
      [teacherId],
    );
    await client.query(
      `insert into test_versions (test_id, version, status, document, published_at) values ($1, 1, 'published', $2, now())`,
      [rows[0]!.id, JSON.stringify(demoQuizDocument)],
    );
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}
