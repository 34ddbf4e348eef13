import { beforeAll, describe, expect, it } from 'vitest';
import { assessmentDoc, createChild } from '../../tests/support/assessments.ts';
import { createCourse, type CourseFixture } from '../../tests/support/catalog.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { enroll } from '../../tests/support/learning.ts';
import { text } from './text.ts';
import { PASSWORD, registerUser, uniqueEmail, uniqueIp, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';

/**
 * Every text that reaches Postgres goes through one normalisation step: NUL and other
 * control characters and lone surrogates are a 400 naming the field (never a 500 from the
 * database), and text is stored in Unicode NFC.
 */
let teacher: TestUser;
let learner: TestUser;
let parent: TestUser;
let course: CourseFixture;
let childId: string;

beforeAll(async () => {
  teacher = await verifiedTeacher();
  learner = await registerUser('learner');
  parent = await registerUser('parent');
  course = await createCourse(teacher, { publish: true });
  await enroll(learner, course.id);
  childId = (await createChild(parent)).id;
});

type Probe = (bad: string) => Promise<ApiResponse>;

/** Percent-encodes like encodeURIComponent, but a lone surrogate becomes its 3 (invalid UTF-8) bytes instead of throwing. */
function enc(value: string): string {
  return [...value]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      }
      return encodeURIComponent(ch);
    })
    .join('');
}

/** The endpoints of the probe run (issue 14), each with the field the bad text goes into. */
const endpoints: [string, string, Probe][] = [
  ['GET /api/search?q=', 'q', (bad) => api('GET', `/api/search?q=${enc(`math${bad}`)}`)],
  ['GET /api/courses?category=', 'category', (bad) => api('GET', `/api/courses?category=${enc(`a${bad}b`)}`)],
  ['GET /api/courses?tag=', 'tag', (bad) => api('GET', `/api/courses?tag=${enc(`a${bad}b`)}`)],
  [
    'POST /api/auth/register',
    'name',
    (bad) =>
      api('POST', '/api/auth/register', {
        body: { email: uniqueEmail(), password: PASSWORD, name: `Dana${bad}`, language: 'en', role: 'learner' },
        headers: { 'cf-connecting-ip': uniqueIp() },
      }),
  ],
  ['PATCH /api/me', 'name', (bad) => api('PATCH', '/api/me', { token: learner.token, body: { name: `Dana${bad}` } })],
  [
    'POST /api/me/children',
    'name',
    (bad) => api('POST', '/api/me/children', { token: parent.token, body: { name: `Ali${bad}`, birthYear: 2016, language: 'kk' } }),
  ],
  [
    'PATCH /api/me/children/:id',
    'name',
    (bad) => api('PATCH', `/api/me/children/${childId}`, { token: parent.token, body: { name: `Ali${bad}` } }),
  ],
  [
    'POST /api/courses',
    'title.ru',
    (bad) =>
      api('POST', '/api/courses', {
        token: teacher.token,
        body: { title: { ru: `Курс${bad}` }, description: { ru: 'Описание' }, language: 'ru' },
      }),
  ],
  [
    'POST /api/modules/:id/lessons',
    'body.ru',
    (bad) =>
      api('POST', `/api/modules/${course.moduleIds[0]}/lessons`, {
        token: teacher.token,
        body: { title: { ru: 'Урок' }, body: { ru: `Текст${bad}` } },
      }),
  ],
  [
    'POST /api/tests',
    'title.en',
    (bad) =>
      api('POST', '/api/tests', { token: teacher.token, body: assessmentDoc({ title: { ru: 'Тест', kk: 'Тест', en: `Test${bad}` } }) }),
  ],
  [
    'POST /api/courses/:id/reviews',
    'text',
    (bad) => api('POST', `/api/courses/${course.id}/reviews`, { token: learner.token, body: { rating: 4, text: `Good${bad}` } }),
  ],
];

const badTexts: [string, string][] = [
  ['NUL', '\u0000'],
  ['a bell (C0 control)', '\u0007'],
  ['DEL', '\u007f'],
  ['a C1 control', '\u0085'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', '\udc00'],
];

describe('input normalisation — bad text is a 400 naming the field, never a 500', () => {
  describe.each(badTexts)('%s', (_label, bad) => {
    it.each(endpoints)('%s', async (_name, field, probe) => {
      const res = await probe(bad);
      expect(res.status, show(res)).toBe(400);
      expect(res.body.error.code, show(res)).toBe('validation_failed');
      expect(Object.keys(res.body.error.details.fields), show(res)).toContain(field);
    });
  });

  it('a NUL in a path parameter is a 400, not a 500', async () => {
    const res = await api('GET', `/api/courses/${encodeURIComponent('abc\u0000')}`);
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('a NUL in a JSON object key is refused too', async () => {
    const res = await api('PATCH', '/api/me', { token: learner.token, body: { 'name\u0000': 'x' } });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('deep nesting is a 400, not a crash', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const res = await api('PATCH', '/api/me', {
      token: learner.token,
      rawBody: `{"name":${deep}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status, show(res)).toBe(400);
  });
});

describe('input normalisation — what is allowed', () => {
  it('line breaks and tabs are kept in multi-line texts (a review, a lesson body)', async () => {
    const res = await api('POST', `/api/courses/${course.id}/reviews`, {
      token: learner.token,
      body: { rating: 5, text: 'Line one\r\nLine two\twith a tab' },
    });
    expect(res.status, show(res)).toBe(201);
    expect(res.body.review.text).toBe('Line one\r\nLine two\twith a tab');
  });

  it('a line break in a one-line text (a name) is refused, naming the field', async () => {
    const res = await api('PATCH', '/api/me', { token: learner.token, body: { name: 'Dana\nSmith' } });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields.name).toBeTruthy();
  });

  it('text is stored in NFC: a decomposed name comes back composed', async () => {
    const decomposed = 'Jose\u0301 A\u0306'; // "José Ă" as base letters plus combining marks
    const res = await api('PATCH', '/api/me', { token: learner.token, body: { name: decomposed } });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.user.name).toBe('José Ă'.normalize('NFC'));
    expect(res.body.user.name).not.toBe(decomposed);
    const me = await api('GET', '/api/me', { token: learner.token });
    expect(me.body.user.name).toBe('Jos\u00e9 \u0102');
  });

  it('search finds a course whatever normal form the query is in', async () => {
    const word = `Cafe\u0301${Math.random().toString(36).slice(2, 7)}`;
    const c = await createCourse(teacher, { title: { en: word.normalize('NFC') }, language: 'en', publish: true });
    const res = await api('GET', `/api/search?q=${encodeURIComponent(word)}`);
    expect(res.status, show(res)).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
  });
});

describe('text() — the shared schema building block', () => {
  it.each([
    ['NUL', 'a\u0000b', false],
    ['a bell', 'a\u0007b', false],
    ['a C1 control', 'a\u0085b', false],
    ['a lone surrogate', 'a\ud800b', false],
    ['a line break in one-line text', 'a\nb', false],
    ['a tab in one-line text', 'a\tb', false],
    ['NUL in multi-line text', 'a\u0000b', true],
  ])('refuses %s', (_label, value, multiline) => {
    const r = text({ multiline }).safeParse(value);
    expect(r.success).toBe(false);
  });

  it('keeps line breaks and tabs in multi-line text, and emoji (paired surrogates) anywhere', () => {
    expect(text({ multiline: true }).parse('a\r\nb\tc')).toBe('a\r\nb\tc');
    expect(text().parse('Сәлем 👋🏽')).toBe('Сәлем 👋🏽');
  });

  it('normalises to NFC and still chains like a zod string', () => {
    expect(text().trim().max(10).parse(' Jose\u0301 ')).toBe('Jos\u00e9');
    expect(text().max(3).safeParse('abcd').success).toBe(false);
  });
});
