import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assessmentDoc, createTest, expectStatus, publish, quizDoc } from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { createAdmin, registerUser, uniqueIp, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { PublishedTestItem, TeacherTestItem } from './routes.ts';

const TeacherPage = z.object({ items: z.array(TeacherTestItem.strict()), nextCursor: z.string().nullable() });
const PublicPage = z.object({ items: z.array(PublishedTestItem.strict()), nextCursor: z.string().nullable() });

/** Anonymous reads are limited per address: give each call its own. */
const anon = (path: string) => api('GET', path, { headers: { 'cf-connecting-ip': uniqueIp() } });

async function teacherPage(user: TestUser, query = '') {
  const res = await api('GET', `/api/teacher/tests${query}`, { token: user.token });
  expect(res.status, show(res)).toBe(200);
  return TeacherPage.parse(res.body);
}

/** Follows the cursor until the end; every page must match the schema. */
async function allPublished(query: string) {
  const ids: string[] = [];
  const items: z.infer<typeof PublishedTestItem>[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const res = await anon(`/api/tests?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, show(res)).toBe(200);
    const page = PublicPage.parse(res.body);
    items.push(...page.items);
    ids.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { ids, items };
}

describe('GET /api/teacher/tests', () => {
  it('lists the teacher’s own tests, drafts included, newest first, with a signed cursor', async () => {
    const teacher = await verifiedTeacher();
    const other = await verifiedTeacher();
    const a = await createTest(teacher, assessmentDoc());
    const b = await createTest(teacher, quizDoc());
    const c = await createTest(teacher, assessmentDoc({ title: { en: 'Third' } }));
    await publish(teacher, b.id);
    const foreign = await createTest(other, quizDoc());

    const page1 = await teacherPage(teacher, '?limit=2');
    expect(page1.items.map((t) => t.id)).toEqual([c.id, b.id]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = await teacherPage(teacher, `?limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`);
    expect(page2.items.map((t) => t.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeNull();

    expect(page1.items[0]).toMatchObject({
      kind: 'assessment',
      title: { en: 'Third' },
      status: 'draft',
      version: 1,
      publishedVersion: null,
      questionCount: 5,
      publishedAt: null,
    });
    expect(page1.items[1]).toMatchObject({ kind: 'quiz', status: 'published', version: 1, publishedVersion: 1, questionCount: 2 });
    expect(page1.items[1]!.publishedAt).toBeTruthy();

    // A published test with unpublished edits shows its draft.
    await expectStatus(api('PATCH', `/api/tests/${b.id}`, { token: teacher.token, body: { title: { en: 'Quiz, second edition' } } }), 200);
    const edited = (await teacherPage(teacher)).items.find((t) => t.id === b.id);
    expect(edited).toMatchObject({ status: 'draft', version: 2, publishedVersion: 1, title: { en: 'Quiz, second edition' } });

    const quizzes = await teacherPage(teacher, '?kind=quiz');
    expect(quizzes.items.map((t) => t.id)).toEqual([b.id]);

    // Another teacher's drafts are never listed, whichever way.
    const mine = await teacherPage(teacher, '?limit=100');
    expect(mine.items.map((t) => t.id)).not.toContain(foreign.id);
    expect((await teacherPage(other)).items.map((t) => t.id)).toEqual([foreign.id]);
  });

  it('an admin sees every teacher’s tests', async () => {
    const t1 = await verifiedTeacher();
    const t2 = await verifiedTeacher();
    const x = await createTest(t1, quizDoc());
    const y = await createTest(t2, quizDoc());
    const admin = await createAdmin();
    // Other test files create tests at the same time: follow the cursor until both show up.
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20 && !(ids.includes(x.id) && ids.includes(y.id)); i++) {
      const page = await teacherPage(admin, `?kind=quiz&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(ids).toContain(x.id);
    expect(ids).toContain(y.id);
    expect(ids.indexOf(y.id)).toBeLessThan(ids.indexOf(x.id));
  });

  it.each([
    ['a learner', () => registerUser('learner'), 403],
    ['a parent', () => registerUser('parent'), 403],
    ['a teacher awaiting verification', () => registerUser('teacher'), 403],
  ])('%s is refused (%s)', async (_label, make, status) => {
    const user = await make();
    const res = await api('GET', '/api/teacher/tests', { token: user.token });
    expect(res.status, show(res)).toBe(status);
  });

  it('bad input: anonymous 401, a forged cursor 400, an unknown parameter 400', async () => {
    expect((await anon('/api/teacher/tests')).status).toBe(401);
    const teacher = await verifiedTeacher();
    for (let i = 0; i < 2; i++) await createTest(teacher, quizDoc());
    const page = await teacherPage(teacher, '?limit=1');
    const forged = (page.nextCursor!.startsWith('x') ? 'y' : 'x') + page.nextCursor!.slice(1);
    const tampered = await api('GET', `/api/teacher/tests?cursor=${encodeURIComponent(forged)}`, { token: teacher.token });
    expect(tampered.status, show(tampered)).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_cursor');
    const unknown = await api('GET', '/api/teacher/tests?status=draft', { token: teacher.token });
    expect(unknown.status, show(unknown)).toBe(400);
  });
});

describe('GET /api/tests (published tests for everyone)', () => {
  it('lists only published versions, texts in the asked language with a fallback, filtered and paginated', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { modules: 0, publish: false });
    const inCourse = (doc: Record<string, unknown>) => ({ ...doc, courseId: course.id });
    const assessment = await createTest(teacher, inCourse(assessmentDoc({ description: { ru: 'Описание', en: 'About it' } })));
    const quiz = await createTest(teacher, inCourse(quizDoc({ timeLimitSec: null })));
    const draft = await createTest(teacher, inCourse(quizDoc({ title: { en: 'Never published' } })));
    await publish(teacher, assessment.id);
    await publish(teacher, quiz.id);
    // Published, then edited: the list keeps showing version 1 until version 2 is published.
    await expectStatus(
      api('PATCH', `/api/tests/${quiz.id}`, {
        token: teacher.token,
        body: { title: { en: 'Draft title' }, questions: [quizDoc().questions[0]] },
      }),
      200,
    );

    const en = await allPublished(`courseId=${course.id}&lang=en&limit=1`);
    expect(en.ids).toEqual([quiz.id, assessment.id]);
    expect(en.ids).not.toContain(draft.id);
    expect(en.items[0]).toEqual({
      id: quiz.id,
      kind: 'quiz',
      courseId: course.id,
      title: 'Maths quiz',
      titleLang: 'en',
      description: null,
      descriptionLang: null,
      version: 1,
      questionCount: 2,
      timeLimitSec: null,
      publishedAt: expect.any(String),
    });
    expect(en.items[1]).toMatchObject({
      kind: 'assessment',
      title: 'Anxiety scale',
      titleLang: 'en',
      description: 'About it',
      descriptionLang: 'en',
      questionCount: 5,
      timeLimitSec: 1200,
    });

    // The quiz has no Kazakh title: it falls back (ru first), and says so.
    const kk = await allPublished(`courseId=${course.id}&lang=kk`);
    expect(kk.items.map((t) => [t.title, t.titleLang, t.description, t.descriptionLang])).toEqual([
      ['Квиз по математике', 'ru', null, null],
      ['Мазасыздық шкаласы', 'kk', 'Описание', 'ru'],
    ]);

    const onlyAssessments = await allPublished(`courseId=${course.id}&kind=assessment`);
    expect(onlyAssessments.ids).toEqual([assessment.id]);

    await publish(teacher, quiz.id);
    const republished = await allPublished(`courseId=${course.id}&lang=en`);
    expect(republished.items[0]).toMatchObject({ id: quiz.id, title: 'Draft title', version: 2, questionCount: 1 });
  });

  it('never exposes answers, scores or scales, to anyone', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { modules: 0, publish: false });
    const quiz = await createTest(teacher, quizDoc({ courseId: course.id }));
    await publish(teacher, quiz.id);
    const learner = await registerUser('learner');
    for (const res of [
      await anon(`/api/tests?courseId=${course.id}`),
      await api('GET', `/api/tests?courseId=${course.id}`, { token: learner.token }),
    ]) {
      expect(res.status, show(res)).toBe(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.text).not.toMatch(/"correct"|"scores"|"scales"|"passMark"|"questions"|"authorId"/);
      expect(res.headers.get('cache-control')).toContain('public');
    }
  });

  it.each<[string, string, string]>([
    ['an unknown kind', 'kind=survey', 'kind'],
    ['an unknown language', 'lang=de', 'lang'],
    ['a limit above 50', 'limit=51', 'limit'],
    ['an unknown parameter', 'status=draft', '_'],
    ['a forged cursor', 'cursor=abc.def', 'cursor'],
  ])('%s → 400', async (_label, query, field) => {
    const res = await anon(`/api/tests?${query}`);
    expect(res.status, show(res)).toBe(400);
    if (field !== '_') expect(res.body.error.details.fields, show(res)).toHaveProperty([field]);
  });

  it('a courseId that is not an id lists nothing', async () => {
    const res = await anon('/api/tests?courseId=nope');
    expect(res.status, show(res)).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('PATCH /api/tests/:id', () => {
  it('description: null removes the description; other absent fields keep their value', async () => {
    const teacher = await verifiedTeacher();
    const test = await createTest(teacher, assessmentDoc({ description: { ru: 'Будет удалено' } }));
    const res = await api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { description: null } });
    expect(res.status, show(res)).toBe(200);
    expect(res.body).not.toHaveProperty('description');
    expect(res.body.scales).toHaveLength(2);
    const got = await expectStatus(api('GET', `/api/tests/${test.id}`, { token: teacher.token }), 200);
    expect(got).not.toHaveProperty('description');
  });
});

it('the OpenAPI document lists both listings', async () => {
  const doc = await expectStatus(api('GET', '/api/openapi.json'), 200);
  expect(doc.paths['/api/tests'].get).toBeTruthy();
  expect(doc.paths['/api/tests'].post).toBeTruthy();
  expect(doc.paths['/api/teacher/tests'].get).toBeTruthy();
});
