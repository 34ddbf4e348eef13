import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { courses, notifications, reviews } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { enroll, enrolledLearner, expectStatus, review } from '../../tests/support/learning.ts';
import { createAdmin, registerUser, testDb, vars, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { encodeCursor } from '../lib/cursor.ts';

const db = () => testDb().db;

async function ratingOf(courseId: string) {
  const [c] = await db()
    .select({ sum: courses.ratingSum, count: courses.ratingCount, avg: courses.ratingAvg })
    .from(courses)
    .where(eq(courses.id, courseId));
  return c!;
}

/** The counters must equal what the visible reviews add up to. */
async function expectExactRating(courseId: string) {
  const visible = (await db().select().from(reviews).where(eq(reviews.courseId, courseId))).filter((r) => !r.hidden);
  const sum = visible.reduce((s, r) => s + r.rating, 0);
  const r = await ratingOf(courseId);
  expect(r.sum).toBe(sum);
  expect(r.count).toBe(visible.length);
  expect(Number(r.avg)).toBeCloseTo(visible.length ? Math.round((sum / visible.length) * 100) / 100 : 0, 2);
  return r;
}

async function learnersIn(courseId: string, n: number): Promise<TestUser[]> {
  const learners = await Promise.all(Array.from({ length: n }, () => registerUser()));
  await Promise.all(learners.map((l) => expectStatus(enroll(l, courseId), 201)));
  return learners;
}

describe('reviews — happy', () => {
  it('an enrolled learner reviews once; the course rating and the public list follow; the teacher is told', async () => {
    const { teacher, learner, course } = await enrolledLearner();
    const res = await review(learner, course.id, { rating: 4, text: '  Полезный курс  ' });
    expect(res.status, show(res)).toBe(201);
    expect(res.body.review).toMatchObject({
      rating: 4,
      text: 'Полезный курс',
      hidden: false,
      reply: null,
      author: { name: 'Test learner' },
    });
    expect(res.body.courseRating).toEqual({ average: 4, count: 1 });
    expect(await ratingOf(course.id)).toMatchObject({ sum: 4, count: 1 });
    const list = await api('GET', `/api/courses/${course.id}/reviews`);
    expect(list.status, show(list)).toBe(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([res.body.review.id]);
    expect(list.body.items[0].hidden).toBeUndefined();
    expect(list.body.rating).toEqual({ average: 4, count: 1 });
    const notes = await db().select().from(notifications).where(eq(notifications.userId, teacher.id));
    expect(notes.map((n) => n.kind)).toEqual(['review_received']);
    expect((await api('GET', `/api/courses/${course.id}`)).body.rating.count).toBe(1);
  });

  it('lists newest first with a cursor, hidden reviews excluded', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const learners = await learnersIn(c.id, 3);
    const ids: string[] = [];
    for (const [i, l] of learners.entries()) ids.push((await expectStatus(review(l, c.id, { rating: i + 3 }), 201)).review.id);
    const p1 = await api('GET', `/api/courses/${c.id}/reviews?limit=2`);
    expect(p1.body.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const p2 = await api('GET', `/api/courses/${c.id}/reviews?limit=2&cursor=${encodeURIComponent(p1.body.nextCursor)}`);
    expect(p2.body.items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(p2.body.nextCursor).toBeNull();
    const admin = await createAdmin();
    const hid = await api('POST', `/api/admin/reviews/${ids[1]}/hide`, { token: admin.token });
    expect(hid.status, show(hid)).toBe(200);
    expect(hid.body.courseRating).toEqual({ average: 4, count: 2 });
    const after = await api('GET', `/api/courses/${c.id}/reviews`);
    expect(after.body.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[0]]);
    expect(after.body.rating).toEqual({ average: 4, count: 2 });
    // Hiding twice changes nothing; unhiding brings it back, in the list and the rating.
    expect((await api('POST', `/api/admin/reviews/${ids[1]}/hide`, { token: admin.token })).body.courseRating).toEqual({
      average: 4,
      count: 2,
    });
    const un = await api('POST', `/api/admin/reviews/${ids[1]}/unhide`, { token: admin.token });
    expect(un.body.courseRating).toEqual({ average: 4, count: 3 });
    await expectExactRating(c.id);
  });

  it('the author edits and deletes their review; the rating moves by the difference', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const [a, b] = await learnersIn(c.id, 2);
    const ra = (await expectStatus(review(a!, c.id, { rating: 5 }), 201)).review;
    await expectStatus(review(b!, c.id, { rating: 2 }), 201);
    const upd = await api('PATCH', `/api/reviews/${ra.id}`, { token: a!.token, body: { rating: 3, text: 'Передумал' } });
    expect(upd.status, show(upd)).toBe(200);
    expect(upd.body.review).toMatchObject({ rating: 3, text: 'Передумал' });
    expect(upd.body.courseRating).toEqual({ average: 2.5, count: 2 });
    expect((await api('DELETE', `/api/reviews/${ra.id}`, { token: a!.token })).status).toBe(204);
    expect(await expectExactRating(c.id)).toMatchObject({ sum: 2, count: 1 });
    expect((await api('GET', `/api/courses/${c.id}/reviews`)).body.items).toHaveLength(1);
  });

  it("the course's teacher replies once; the learner is told; a second reply is 409", async () => {
    const { teacher, learner, course } = await enrolledLearner();
    const r = (await expectStatus(review(learner, course.id, { rating: 5, text: 'Спасибо!' }), 201)).review;
    const replies = await Promise.all(
      [1, 2, 3].map((i) => api('POST', `/api/reviews/${r.id}/reply`, { token: teacher.token, body: { text: `Рады помочь ${i}` } })),
    );
    expect(replies.filter((x) => x.status === 201)).toHaveLength(1);
    expect(replies.filter((x) => x.status === 409)).toHaveLength(2);
    const list = await api('GET', `/api/courses/${course.id}/reviews`);
    expect(list.body.items[0].reply.text).toMatch(/^Рады помочь/);
    const notes = await db().select().from(notifications).where(eq(notifications.userId, learner.id));
    expect(notes.filter((n) => n.kind === 'review_reply')).toHaveLength(1);
  });
});

describe('reviews — bad input and security', () => {
  it.each([
    ['a rating of 0', { rating: 0 }, 'rating'],
    ['a rating of 6', { rating: 6 }, 'rating'],
    ['a fractional rating', { rating: 4.5 }, 'rating'],
    ['no rating', { text: 'Нет звёзд' }, 'rating'],
    ['a text over 2,000 characters', { rating: 5, text: 'а'.repeat(2001) }, 'text'],
  ])('%s → 400 naming the field, nothing written', async (_l, body, field) => {
    const { learner, course } = await enrolledLearner();
    const res = await review(learner, course.id, body);
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty(field);
    expect(await db().select().from(reviews).where(eq(reviews.courseId, course.id))).toHaveLength(0);
    expect(await ratingOf(course.id)).toMatchObject({ sum: 0, count: 0 });
  });

  it('a second review → 409; a non-enrolled learner → 403; the teacher of the course → 403; unknown course → 404', async () => {
    const { teacher, learner, course } = await enrolledLearner();
    await expectStatus(review(learner, course.id, { rating: 5 }), 201);
    const second = await review(learner, course.id, { rating: 1 });
    expect(second.status, show(second)).toBe(409);
    const stranger = await registerUser();
    const notEnrolled = await review(stranger, course.id, { rating: 1 });
    expect(notEnrolled.status, show(notEnrolled)).toBe(403);
    expect(notEnrolled.body.error.code).toBe('not_enrolled');
    await expectStatus(enroll(teacher, course.id), 201);
    expect((await review(teacher, course.id, { rating: 5 })).status).toBe(403);
    expect((await review(learner, crypto.randomUUID(), { rating: 5 })).status).toBe(404);
    expect(await expectExactRating(course.id)).toMatchObject({ sum: 5, count: 1 });
  });

  it('nobody else edits, deletes or replies to a review; only admins hide', async () => {
    const { learner, course } = await enrolledLearner();
    const r = (await expectStatus(review(learner, course.id, { rating: 4 }), 201)).review;
    const other = await registerUser();
    const otherTeacher = await verifiedTeacher();
    expect((await api('PATCH', `/api/reviews/${r.id}`, { token: other.token, body: { rating: 1 } })).status).toBe(404);
    expect((await api('DELETE', `/api/reviews/${r.id}`, { token: other.token })).status).toBe(404);
    expect((await api('POST', `/api/reviews/${r.id}/reply`, { token: otherTeacher.token, body: { text: 'Чужой ответ' } })).status).toBe(
      403,
    );
    expect((await api('POST', `/api/admin/reviews/${r.id}/hide`, { token: other.token })).status).toBe(403);
    expect((await api('POST', `/api/admin/reviews/${crypto.randomUUID()}/hide`, { token: (await createAdmin()).token })).status).toBe(404);
    const [row] = await db().select().from(reviews).where(eq(reviews.id, r.id));
    expect(row).toMatchObject({ rating: 4, hidden: false, reply: null });
  });
});

describe('reviews — concurrency', () => {
  it('concurrent reviews, edits and hides keep ratingSum / ratingCount / ratingAvg exact', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const admin = await createAdmin();
    const learners = await learnersIn(c.id, 16);
    const created = await Promise.all(learners.map((l, i) => review(l, c.id, { rating: (i % 5) + 1 })));
    for (const r of created) expect(r.status, show(r)).toBe(201);
    await expectExactRating(c.id);
    const ids = created.map((r) => r.body.review.id as string);
    // Hides, unhides and edits of the same and different reviews, all at once.
    await Promise.all([
      ...ids.slice(0, 8).map((id) => api('POST', `/api/admin/reviews/${id}/hide`, { token: admin.token })),
      ...ids.slice(0, 4).map((id) => api('POST', `/api/admin/reviews/${id}/hide`, { token: admin.token })),
      ...ids
        .slice(4, 12)
        .map((id, i) => api('PATCH', `/api/reviews/${id}`, { token: learners[i + 4]!.token, body: { rating: 5 - (i % 5) } })),
      ...ids.slice(2, 6).map((id) => api('POST', `/api/admin/reviews/${id}/unhide`, { token: admin.token })),
      ...ids.slice(12).map((id, i) => api('DELETE', `/api/reviews/${id}`, { token: learners[i + 12]!.token })),
    ]);
    const final = await expectExactRating(c.id);
    expect(final.count).toBeGreaterThan(0);
    const list = await api('GET', `/api/courses/${c.id}/reviews?limit=50`);
    expect(list.body.rating).toEqual({ average: Number(final.avg), count: final.count });
    expect(list.body.items).toHaveLength(final.count);
  });
});

interface ModerationItem {
  id: string;
  courseId: string;
  courseTitle: string;
  author: { id: string; name: string };
  rating: number;
  text: string;
  hidden: boolean;
  reply: { text: string } | null;
  createdAt: string;
}

const moderation = (token: string | undefined, query = '') =>
  api<{ items: ModerationItem[]; nextCursor: string | null }>('GET', `/api/admin/reviews${query}`, { token });
const idsIn = (items: ModerationItem[], courseId: string) => items.filter((r) => r.courseId === courseId).map((r) => r.id);

/** Three reviews (oldest first) on a fresh course titled in ru and en; other test files add reviews in parallel. */
async function reviewedCourse() {
  const t = await verifiedTeacher();
  const word = Math.random().toString(36).slice(2, 8);
  const c = await createCourse(t, { title: { ru: `Модерация ${word}`, en: `Moderation ${word}` } });
  const learners = await learnersIn(c.id, 3);
  const ids: string[] = [];
  for (const [i, l] of learners.entries())
    ids.push((await expectStatus(review(l, c.id, { rating: i + 3, text: `Отзыв ${i}` }), 201)).review.id);
  return { teacher: t, course: c, learners, ids, word };
}

describe('review moderation — happy', () => {
  it('an admin sees the newest reviews of every course first, hidden ones included, with course and author; not cached', async () => {
    const { course, learners, ids, word } = await reviewedCourse();
    const admin = await createAdmin();
    const hid = await api('POST', `/api/admin/reviews/${ids[1]}/hide`, { token: admin.token });
    expect(hid.status, show(hid)).toBe(200);

    const all = await moderation(admin.token, '?limit=100&lang=en');
    expect(all.status, show(all)).toBe(200);
    expect(all.headers.get('cache-control')).toBe('private, no-store');
    expect(idsIn(all.body.items, course.id)).toEqual([ids[2], ids[1], ids[0]]);
    const times = all.body.items.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const hidden = all.body.items.find((r) => r.id === ids[1])!;
    expect(hidden).toMatchObject({
      courseId: course.id,
      courseTitle: `Moderation ${word}`,
      author: { id: learners[1]!.id, name: 'Test learner' },
      rating: 4,
      text: 'Отзыв 1',
      hidden: true,
      reply: null,
    });
    // No Kazakh title: the course's own language (ru) is shown.
    const kk = await moderation(admin.token, '?limit=100&lang=kk');
    expect(kk.body.items.find((r) => r.id === ids[1])?.courseTitle).toBe(`Модерация ${word}`);

    const onlyHidden = await moderation(admin.token, '?status=hidden&limit=100');
    expect(onlyHidden.status, show(onlyHidden)).toBe(200);
    expect(idsIn(onlyHidden.body.items, course.id)).toEqual([ids[1]]);
    expect(onlyHidden.body.items.every((r) => r.hidden)).toBe(true);
    const visible = await moderation(admin.token, '?status=visible&limit=100');
    expect(idsIn(visible.body.items, course.id)).toEqual([ids[2], ids[0]]);
    expect(visible.body.items.every((r) => !r.hidden)).toBe(true);

    // Unhidden through the endpoint, the list says so at once.
    await expectStatus(api('POST', `/api/admin/reviews/${ids[1]}/unhide`, { token: admin.token }), 200);
    expect((await moderation(admin.token, '?limit=100')).body.items.find((r) => r.id === ids[1])?.hidden).toBe(false);
    expect(idsIn((await moderation(admin.token, '?status=hidden&limit=100')).body.items, course.id)).toEqual([]);
  });

  it("after hiding through the endpoint the list shows hidden: true, and the teacher's reply is there", async () => {
    const { teacher, course, ids } = await reviewedCourse();
    const admin = await createAdmin();
    await expectStatus(api('POST', `/api/reviews/${ids[0]}/reply`, { token: teacher.token, body: { text: 'Спасибо' } }), 201);
    await expectStatus(api('POST', `/api/admin/reviews/${ids[0]}/hide`, { token: admin.token }), 200);
    const item = (await moderation(admin.token, '?limit=100')).body.items.find((r) => r.id === ids[0]);
    expect(item).toMatchObject({ courseId: course.id, hidden: true, reply: { text: 'Спасибо' } });
  });

  it('pages follow the cursor to the end of the newest reviews without duplicates or gaps', async () => {
    const { course, ids } = await reviewedCourse();
    const admin = await createAdmin();
    const seen: ModerationItem[] = [];
    let cursor: string | null = null;
    // Newer reviews from parallel tests land before our cursor, never after it.
    for (let page = 0; page < 50 && idsIn(seen, course.id).length < ids.length; page++) {
      const res = await moderation(admin.token, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, show(res)).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(idsIn(seen, course.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    const times = seen.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('is documented in the OpenAPI document with its filter', async () => {
    const doc = await api('GET', '/api/openapi.json');
    const op = doc.body.paths['/api/admin/reviews']?.get;
    expect(op, show(doc)).toBeDefined();
    const status = op.parameters.find((p: { name: string }) => p.name === 'status');
    expect(status.schema.enum).toEqual(['visible', 'hidden', 'all']);
  });
});

describe('review moderation — security and bad input', () => {
  it('learners and teachers get 403, anonymous visitors 401', async () => {
    const learner = await registerUser();
    const teacher = await verifiedTeacher();
    for (const u of [learner, teacher]) {
      const res = await moderation(u.token);
      expect(res.status, show(res)).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    const anon = await moderation(undefined);
    expect(anon.status, show(anon)).toBe(401);
    expect(anon.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it.each([
    ['a tampered cursor', '?cursor=abc.def', 'invalid_cursor', 'cursor'],
    ['an unknown status', '?status=deleted', 'validation_failed', 'status'],
    ['a limit over 100', '?limit=101', 'validation_failed', 'limit'],
    ['an unknown language', '?lang=de', 'validation_failed', 'lang'],
  ])('%s → 400 with a stable code naming the field', async (_l, query, code, field) => {
    const admin = await createAdmin();
    const res = await moderation(admin.token, query);
    expect(res.status, show(res)).toBe(400);
    expect((res.body as any).error.code).toBe(code);
    expect((res.body as any).error.details.fields).toHaveProperty(field);
    expect(typeof (res.body as any).error.requestId).toBe('string');
  });

  it('a cursor signed for another list shape is refused, not misread', async () => {
    const admin = await createAdmin();
    const cursor = await encodeCursor([42, 'not-an-id'], vars.JWT_SECRET!);
    const res = await moderation(admin.token, `?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status, show(res)).toBe(400);
    expect((res.body as any).error.code).toBe('invalid_cursor');
  });
});
