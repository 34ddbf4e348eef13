import { SELF } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it, vi } from 'vitest';
import { notifications } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { complete, enroll, expectStatus } from '../../tests/support/learning.ts';
import { createAdmin, registerUser, testDb, vars, verifiedTeacher } from '../../tests/support/users.ts';
import { CODE, certificateCode, normalizeCode } from './certificates.ts';
import { ageAt, contentLang, renderCertificate, renderResultReport } from './render.ts';

const SECRET = vars.JWT_SECRET!;

async function pdfText(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

/** A learner who finished a fresh two-lesson course through the API. */
async function finishedCourse() {
  const teacher = await verifiedTeacher();
  const title = { ru: `Астрономия ${Math.random().toString(36).slice(2, 7)}`, en: 'Astronomy' };
  const course = await createCourse(teacher, { title });
  const learner = await registerUser('learner');
  await expectStatus(enroll(learner, course.id), 201);
  for (const id of course.lessonIds) await expectStatus(complete(learner, id), 200);
  return { teacher, learner, course, title };
}

/** The learner's certificates until the one of `courseId` is ready. */
async function readyCertificate(token: string, courseId: string) {
  return vi.waitFor(
    async () => {
      const res = await api('GET', '/api/me/certificates', { token });
      expect(res.status, show(res)).toBe(200);
      const item = res.body.items.find((c: { courseId: string }) => c.courseId === courseId);
      expect(item?.status, show(res)).toBe('ready');
      return item;
    },
    { timeout: 20_000, interval: 100 },
  );
}

describe('certificate codes', () => {
  it('are derived from learner and course with the secret: stable, distinct, readable', async () => {
    const a = await certificateCode(SECRET, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002');
    expect(a).toMatch(CODE);
    expect(await certificateCode(SECRET, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002')).toBe(a);
    expect(await certificateCode(SECRET, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003')).not.toBe(a);
    expect(await certificateCode(`${SECRET}x`, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002')).not.toBe(a);
    // Typed from paper: lower case, spaces, no dashes, o for 0 and l for 1 all find it.
    expect(normalizeCode(a.toLowerCase().replace(/-/g, ' '))).toBe(a);
    expect(normalizeCode('0OO1-1LI0-ABCD')).toBe('0001-1110-ABCD');
    for (const bad of ['', 'ABCD-EFGH', 'ABCD-EFGH-IJKU', '../../etc', 'ABCD-EFGH-JKMN-P']) expect(normalizeCode(bad)).toBeUndefined();
  });
});

describe('certificates — end to end', () => {
  it('finishing a course: notification with the code → my certificates → PDF with name, course, teacher, code → public verification', async () => {
    const { learner, course, title } = await finishedCourse();
    const expectedCode = await certificateCode(SECRET, learner.id, course.id);

    // The completion notification already carries the code (it links to the verification page).
    const [note] = await testDb()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, learner.id), eq(notifications.kind, 'course_completed')));
    expect(note?.data).toMatchObject({ courseId: course.id, certificateCode: expectedCode });

    const item = await readyCertificate(learner.token, course.id);
    expect(item).toMatchObject({ code: expectedCode, courseTitle: title, teacherName: 'Test teacher', revoked: false });

    const report = await api('GET', `/api/reports/${item.id}`, { token: learner.token });
    expect(report.status, show(report)).toBe(200);
    const text = await pdfText(await (await SELF.fetch(report.body.url)).arrayBuffer());
    for (const expected of [
      'Test learner',
      title.ru,
      'Преподаватель: Test teacher',
      `Код проверки: ${expectedCode}`,
      `/ru/certificates/${expectedCode}`,
    ])
      expect(text).toContain(expected);

    // Public: no session, cacheable, only what the certificate shows.
    const verified = await api('GET', `/api/certificates/${expectedCode}`);
    expect(verified.status, show(verified)).toBe(200);
    expect(verified.body).toEqual({
      code: expectedCode,
      status: 'valid',
      learnerName: 'Test learner',
      courseId: course.id,
      courseTitle: title,
      teacherName: 'Test teacher',
      completedAt: expect.any(String),
      revokedAt: null,
    });
    expect(verified.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const typed = await api('GET', `/api/certificates/${expectedCode.toLowerCase().replace(/-/g, '')}`);
    expect(typed.body.code, show(typed)).toBe(expectedCode);

    // Somebody else's list does not show it.
    const other = await registerUser('learner');
    const theirs = await api('GET', '/api/me/certificates', { token: other.token });
    expect(theirs.status, show(theirs)).toBe(200);
    expect(theirs.body).toEqual({ items: [], nextCursor: null });
  });

  it('unknown or malformed codes are 404 (not cached as valid); only an admin revokes, and then it says revoked', async () => {
    const { learner, course } = await finishedCourse();
    const { code } = await readyCertificate(learner.token, course.id);

    for (const bad of ['ZZZZ-ZZZZ-ZZZZ', 'nonsense', 'ABCD-EFGH-IJKU']) {
      const res = await api('GET', `/api/certificates/${bad}`);
      expect(res.status, show(res)).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.headers.get('cache-control')).toContain('no-store');
    }

    const byLearner = await api('POST', `/api/admin/certificates/${code}/revoke`, { token: learner.token });
    expect(byLearner.status, show(byLearner)).toBe(403);
    expect((await api('GET', `/api/certificates/${code}`)).body.status).toBe('valid');

    const admin = await createAdmin();
    const revoked = await api('POST', `/api/admin/certificates/${code}/revoke`, { token: admin.token });
    expect(revoked.status, show(revoked)).toBe(200);
    expect(revoked.body).toMatchObject({ code, status: 'revoked', revokedAt: expect.any(String) });
    // Idempotent: the first revocation time stays.
    const again = await api('POST', `/api/admin/certificates/${code}/revoke`, { token: admin.token });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect((await api('GET', `/api/certificates/${code}`)).body.status).toBe('revoked');
    const mine = await api('GET', '/api/me/certificates', { token: learner.token });
    expect(mine.body.items[0]).toMatchObject({ code, revoked: true });
    expect((await api('POST', '/api/admin/certificates/ZZZZ-ZZZZ-ZZZZ/revoke', { token: admin.token })).status).toBe(404);
  });

  it('my certificates pages by keyset, newest first', async () => {
    const teacher = await verifiedTeacher();
    const learner = await registerUser('learner');
    const courseIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const course = await createCourse(teacher, { lessonsPerModule: 1 });
      await expectStatus(enroll(learner, course.id), 201);
      await expectStatus(complete(learner, course.lessonIds[0]!), 200);
      courseIds.push(course.id);
    }
    await vi.waitFor(async () => expect((await api('GET', '/api/me/certificates', { token: learner.token })).body.items).toHaveLength(3), {
      timeout: 20_000,
      interval: 100,
    });
    const first = await api('GET', '/api/me/certificates?limit=2', { token: learner.token });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api('GET', `/api/me/certificates?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: learner.token,
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items].map((c: { courseId: string }) => c.courseId);
    expect(new Set(seen)).toEqual(new Set(courseIds));
    const bad = await api('GET', '/api/me/certificates?cursor=garbage', { token: learner.token });
    expect(bad.status, show(bad)).toBe(400);
  });
});

describe('report and certificate rendering', () => {
  it("a child's assessment report: logo text, age at the test, the disclaimer; labels follow the test's language", async () => {
    // A Russian-only test for a child whose profile language is Kazakh: Russian labels throughout.
    const language = contentLang({ ru: 'Тревожность' }, 'kk');
    expect(language).toBe('ru');
    expect(contentLang({ ru: 'a', kk: 'b' }, 'kk')).toBe('kk');
    const text = await pdfText(
      await renderResultReport({
        language,
        subjectName: 'Алихан',
        testTitle: { ru: 'Тревожность у ребёнка' },
        kind: 'assessment',
        version: 1,
        date: new Date('2026-10-01T09:00:00Z'),
        birthYear: 2017,
        scales: [],
        reference: 'r-1',
      }),
    );
    expect(text).toContain('Sabaq');
    expect(text).toContain('Возраст на момент теста: 8 лет (год рождения 2017)');
    expect(text).toContain('Этот отчёт не является диагнозом');
    expect(text).not.toMatch(/Тест нұсқасы|Күні/);
    expect(ageAt(2017, new Date('2026-01-01T00:00:00Z'))).toBe(8);
    expect(ageAt(2026, new Date('2026-06-01T00:00:00Z'))).toBe(0);
  });

  it('a quiz report has no diagnosis disclaimer; a certificate prints teacher, code and address', async () => {
    const quiz = await pdfText(
      await renderResultReport({
        language: 'en',
        subjectName: 'Sam',
        testTitle: { en: 'Fractions' },
        kind: 'quiz',
        version: 1,
        date: new Date('2026-10-01T09:00:00Z'),
        scales: [],
        score: 1,
        correct: 2,
        total: 2,
        passed: true,
        reference: 'q',
      }),
    );
    expect(quiz).not.toContain('not a diagnosis');
    const cert = await pdfText(
      await renderCertificate({
        language: 'en',
        learnerName: 'Sam Carter',
        courseTitle: { en: 'Drawing for beginners' },
        teacherName: 'Nurlan Seitkali',
        date: new Date('2026-12-05T00:00:00Z'),
        reference: 'c',
        verifyCode: 'ABCD-EFGH-JKMN',
        verifyUrl: 'https://sabaq.kz/en/certificates/ABCD-EFGH-JKMN',
      }),
    );
    for (const expected of [
      'Sam Carter',
      'Drawing for beginners',
      'Teacher: Nurlan Seitkali',
      '05.12.2026',
      'Verification code: ABCD-EFGH-JKMN',
      'https://sabaq.kz/en/certificates/ABCD-EFGH-JKMN',
    ])
      expect(cert).toContain(expected);
  });
});
