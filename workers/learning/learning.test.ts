import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { courses, enrollments, lessonProgress, notifications, reports } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show } from '../../tests/support/http.ts';
import { complete, enroll, enrolledLearner, expectStatus, sleep } from '../../tests/support/learning.ts';
import { registerUser, testDb, uniqueIp, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { getCourse } from '../catalog/browse.ts';
import type { Actor } from '../lib/context.ts';
import { grantEnrollment } from './enrollment.ts';
import { listMyLearning } from './my-learning.ts';

const db = () => testDb().db;
const actorOf = (u: TestUser): Actor => ({ id: u.id, role: 'learner', sessionId: 'test' });

async function courseRow(id: string) {
  const [row] = await db().select().from(courses).where(eq(courses.id, id));
  return row!;
}
async function enrollmentRows(userId: string, courseId: string) {
  return db()
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.userId, userId), eq(enrollments.courseId, courseId)));
}
async function notificationsOf(userId: string, kind?: string) {
  const rows = await db().select().from(notifications).where(eq(notifications.userId, userId));
  return kind ? rows.filter((n) => n.kind === kind) : rows;
}

describe('enrollment — happy', () => {
  it('enrolls in a free course: 201 first, 200 after, one row, count +1, a notification', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const learner = await registerUser();
    const first = await enroll(learner, c.id);
    expect(first.status, show(first)).toBe(201);
    expect(first.body).toMatchObject({ courseId: c.id, status: 'active', completedAt: null });
    const again = await enroll(learner, c.id);
    expect(again.status, show(again)).toBe(200);
    expect(again.body.enrolledAt).toBe(first.body.enrolledAt);
    expect(await enrollmentRows(learner.id, c.id)).toHaveLength(1);
    expect((await courseRow(c.id)).enrollmentCount).toBe(1);
    const notes = await notificationsOf(learner.id, 'enrollment');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.data).toMatchObject({ courseId: c.id });
  });

  it('leaves the cached course alone: its counter catches up within the cache lifetime, the row is exact at once', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const ctx = testCtx();
    const detail = `/api/courses/${c.id}?lang=ru`;
    expect((await getCourse(ctx, c.id, 'ru')).enrollmentCount).toBe(0); // cached in Redis now
    await api('GET', detail);
    const edge = await api('GET', detail);
    expect(edge.headers.get('x-edge-cache')).toBe('HIT');
    expect(edge.headers.get('cache-control')).toContain('s-maxage=300');
    await expectStatus(enroll(await registerUser(), c.id), 201);
    expect((await courseRow(c.id)).enrollmentCount).toBe(1);
    // Neither copy is invalidated by a counter: at enrollment rate that would recompute a popular
    // course on every read and cost the enrollment 8 subrequests (issue 16). Both are ≤ 300 s old.
    expect((await getCourse(ctx, c.id, 'ru')).enrollmentCount).toBe(0);
    const after = await api('GET', detail);
    expect(after.headers.get('x-edge-cache')).toBe('HIT');
    expect(after.body.enrollmentCount).toBe(0);
  });

  it('unenrolling is idempotent, gives the count back, removes progress and closes the lessons', async () => {
    const { learner, course } = await enrolledLearner({ lessonsPerModule: 2 });
    await expectStatus(complete(learner, course.lessonIds[0]!), 200);
    const del = await api('DELETE', `/api/courses/${course.id}/enrollment`, { token: learner.token });
    expect(del.status, show(del)).toBe(204);
    expect((await api('DELETE', `/api/courses/${course.id}/enrollment`, { token: learner.token })).status).toBe(204);
    expect((await courseRow(course.id)).enrollmentCount).toBe(0);
    expect(await enrollmentRows(learner.id, course.id)).toHaveLength(0);
    expect(await db().select().from(lessonProgress).where(eq(lessonProgress.userId, learner.id))).toHaveLength(0);
    expect((await api('GET', `/api/lessons/${course.lessonIds[1]}`, { token: learner.token })).status).toBe(403);
    // Enrolling again starts afresh.
    const again = await enroll(learner, course.id);
    expect(again.status, show(again)).toBe(201);
    expect((await api('GET', `/api/courses/${course.id}/progress`, { token: learner.token })).body.progress.completed).toBe(0);
  });
});

describe('enrollment — errors', () => {
  it('a paid course answers 402 payment_required and writes nothing', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { price: { amount: 500000, currency: 'KZT' } });
    const learner = await registerUser();
    const res = await enroll(learner, c.id);
    expect(res.status, show(res)).toBe(402);
    expect(res.body.error.code).toBe('payment_required');
    expect(await enrollmentRows(learner.id, c.id)).toHaveLength(0);
    expect((await courseRow(c.id)).enrollmentCount).toBe(0);
    expect(await notificationsOf(learner.id)).toHaveLength(0);
  });

  it.each([
    ['an unpublished course', async (t: TestUser) => (await createCourse(t, { publish: false })).id],
    ['a course that does not exist', async () => crypto.randomUUID()],
    ['a malformed id', async () => 'not-an-id'],
  ])('%s → 404, nothing written', async (_l, idOf) => {
    const t = await verifiedTeacher();
    const id = await idOf(t);
    const learner = await registerUser();
    const res = await enroll(learner, id);
    expect(res.status, show(res)).toBe(404);
    expect(await db().select().from(enrollments).where(eq(enrollments.userId, learner.id))).toHaveLength(0);
  });

  it('payments grant a paid course once (grantEnrollment): one row, count +1, then enroll answers 200', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { price: { amount: 990000, currency: 'KZT' } });
    const learner = await registerUser();
    const ctx = testCtx();
    const grants = await Promise.all([1, 2, 3].map(() => grantEnrollment(ctx, { userId: learner.id, courseId: c.id })));
    expect(grants.filter((g) => g.created)).toHaveLength(1);
    expect(await enrollmentRows(learner.id, c.id)).toHaveLength(1);
    expect((await courseRow(c.id)).enrollmentCount).toBe(1);
    expect((await enroll(learner, c.id)).status).toBe(200);
  });

  it('anonymous callers get 401', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    expect((await api('POST', `/api/courses/${c.id}/enrollment`)).status).toBe(401);
  });
});

describe('enrollment — concurrency', () => {
  it('20 parallel enrollments of different learners → enrollmentCount +20 exactly', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const learners = await Promise.all(Array.from({ length: 20 }, () => registerUser()));
    const results = await Promise.all(learners.map((l) => enroll(l, c.id)));
    for (const r of results) expect(r.status, show(r)).toBe(201);
    expect((await courseRow(c.id)).enrollmentCount).toBe(20);
    expect(await db().select().from(enrollments).where(eq(enrollments.courseId, c.id))).toHaveLength(20);
  });

  it('20 parallel enrollments of the SAME learner → one row, +1, one 201', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const learner = await registerUser();
    const results = await Promise.all(Array.from({ length: 20 }, () => enroll(learner, c.id)));
    for (const r of results) expect([200, 201], show(r)).toContain(r.status);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await enrollmentRows(learner.id, c.id)).toHaveLength(1);
    expect((await courseRow(c.id)).enrollmentCount).toBe(1);
    expect(await notificationsOf(learner.id, 'enrollment')).toHaveLength(1);
  });
});

describe('progress — happy', () => {
  it('marks lessons complete idempotently, computes the percentage and the lesson to resume at', async () => {
    const { learner, course } = await enrolledLearner({ modules: 2, lessonsPerModule: 2 });
    const [l1, l2, l3] = course.lessonIds;
    const first = await complete(learner, l1!);
    expect(first.status, show(first)).toBe(200);
    expect(first.body).toMatchObject({ lessonId: l1, courseId: course.id, status: 'active', courseCompleted: false });
    expect(first.body.progress).toEqual({ completed: 1, total: 4, percent: 25 });
    expect(first.body.nextLesson.id).toBe(l2);
    expect(first.body.completedLessonIds).toEqual([l1]);
    // Twice is once.
    expect((await complete(learner, l1!)).body.progress.completed).toBe(1);
    await expectStatus(complete(learner, l3!), 200);
    const progress = await api('GET', `/api/courses/${course.id}/progress?lang=en`, { token: learner.token });
    expect(progress.status, show(progress)).toBe(200);
    expect(progress.body.progress).toEqual({ completed: 2, total: 4, percent: 50 });
    expect(progress.body.nextLesson).toEqual({ id: l2, title: 'Lesson 1.2' });
    expect(progress.body.completedLessonIds).toEqual([l1, l3]);
    const undo = await api('DELETE', `/api/lessons/${l1}/completion`, { token: learner.token });
    expect(undo.status, show(undo)).toBe(200);
    expect(undo.body.progress).toEqual({ completed: 1, total: 4, percent: 25 });
    expect(undo.body.nextLesson.id).toBe(l1);
    expect((await api('DELETE', `/api/lessons/${l1}/completion`, { token: learner.token })).body.progress.completed).toBe(1);
  });

  it('resume follows the curriculum order, also after the teacher reorders it', async () => {
    const { teacher, learner, course } = await enrolledLearner({ modules: 2, lessonsPerModule: 2 });
    const [l1, l2, l3] = course.lessonIds;
    expect((await complete(learner, l1!)).body.nextLesson.id).toBe(l2);
    await expectStatus(
      api('PUT', `/api/courses/${course.id}/modules/order`, { token: teacher.token, body: { ids: [...course.moduleIds].reverse() } }),
      200,
    );
    const p = await api('GET', `/api/courses/${course.id}/progress`, { token: learner.token });
    expect(p.body.nextLesson.id).toBe(l3);
  });

  it('completes the course at 100 % exactly once, with one notification', async () => {
    const { learner, course } = await enrolledLearner({ modules: 1, lessonsPerModule: 3 });
    const [l1, l2, l3] = course.lessonIds;
    await expectStatus(complete(learner, l1!), 200);
    await expectStatus(complete(learner, l2!), 200);
    const last = await complete(learner, l3!);
    expect(last.body).toMatchObject({ status: 'completed', courseCompleted: true, nextLesson: null });
    expect(last.body.progress).toEqual({ completed: 3, total: 3, percent: 100 });
    expect(last.body.completedAt).toBeTruthy();
    // Completing (or un-completing and completing) again does not complete it again.
    await expectStatus(api('DELETE', `/api/lessons/${l3}/completion`, { token: learner.token }), 200);
    const redo = await complete(learner, l3!);
    expect(redo.body).toMatchObject({ status: 'completed', courseCompleted: false, completedAt: last.body.completedAt });
    expect(await notificationsOf(learner.id, 'course_completed')).toHaveLength(1);
    const [e] = await enrollmentRows(learner.id, course.id);
    expect(e!.status).toBe('completed');
    // The completion asked reports for the learner's certificate (after the response).
    let certificates: unknown[] = [];
    for (let i = 0; i < 40 && certificates.length === 0; i++) {
      certificates = await db()
        .select()
        .from(reports)
        .where(and(eq(reports.userId, learner.id), eq(reports.courseId, course.id), eq(reports.kind, 'certificate')));
      if (!certificates.length) await sleep(50);
    }
    expect(certificates).toHaveLength(1);
  });

  it('is computed from the current lessons: adding one lowers it, deleting one keeps it right', async () => {
    const { teacher, learner, course } = await enrolledLearner({ modules: 1, lessonsPerModule: 4 });
    const [l1, l2, l3, l4] = course.lessonIds;
    for (const l of [l1, l2, l3]) await expectStatus(complete(learner, l!), 200);
    const progress = async () => (await api('GET', `/api/courses/${course.id}/progress`, { token: learner.token })).body;
    expect((await progress()).progress).toEqual({ completed: 3, total: 4, percent: 75 });
    await expectStatus(
      api('POST', `/api/modules/${course.moduleIds[0]}/lessons`, { token: teacher.token, body: { title: { ru: 'Новый' } } }),
      201,
    );
    expect((await progress()).progress).toEqual({ completed: 3, total: 5, percent: 60 });
    // A deleted completed lesson no longer counts on either side.
    await expectStatus(api('DELETE', `/api/lessons/${l1}`, { token: teacher.token }), 204);
    expect((await progress()).progress).toEqual({ completed: 2, total: 4, percent: 50 });
    // Deleting the lessons still open leaves 100 %: the course completes (once).
    const open = (await progress()).progress.total;
    expect(open).toBe(4);
    const remaining = (await api('GET', `/api/courses/${course.id}/curriculum`)).body.modules[0].lessons.map((l: { id: string }) => l.id);
    for (const id of remaining.filter((id: string) => ![l2, l3].includes(id)))
      await expectStatus(api('DELETE', `/api/lessons/${id}`, { token: teacher.token }), 204);
    const done = await progress();
    expect(done.progress).toEqual({ completed: 2, total: 2, percent: 100 });
    expect(done.status).toBe('completed');
    expect(await notificationsOf(learner.id, 'course_completed')).toHaveLength(1);
    void l4;
  });
});

describe('progress — errors', () => {
  it('completing a lesson of a course you are not enrolled in → 403 not_enrolled, nothing written', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const learner = await registerUser();
    const res = await complete(learner, c.lessonIds[0]!);
    expect(res.status, show(res)).toBe(403);
    expect(res.body.error.code).toBe('not_enrolled');
    expect(await db().select().from(lessonProgress).where(eq(lessonProgress.userId, learner.id))).toHaveLength(0);
    const p = await api('GET', `/api/courses/${c.id}/progress`, { token: learner.token });
    expect(p.status, show(p)).toBe(403);
    expect(p.body.error.code).toBe('not_enrolled');
  });

  it.each([
    ['a lesson that does not exist', () => crypto.randomUUID()],
    ['a malformed lesson id', () => 'lesson-1'],
  ])('completing %s → 404', async (_l, id) => {
    const learner = await registerUser();
    const res = await complete(learner, id());
    expect(res.status, show(res)).toBe(404);
  });

  it('a lesson of an unpublished course → 404, progress of an unknown course → 404', async () => {
    const { teacher, learner, course } = await enrolledLearner();
    await expectStatus(api('POST', `/api/courses/${course.id}/unpublish`, { token: teacher.token }), 200);
    expect((await complete(learner, course.lessonIds[0]!)).status).toBe(404);
    expect((await api('GET', `/api/courses/${crypto.randomUUID()}/progress`, { token: learner.token })).status).toBe(404);
  });
});

describe('progress — concurrency', () => {
  it('parallel completes of every lesson → one completion record and one notification', async () => {
    const { learner, course } = await enrolledLearner({ modules: 2, lessonsPerModule: 5 });
    const results = await Promise.all(course.lessonIds.map((id) => complete(learner, id)));
    for (const r of results) expect(r.status, show(r)).toBe(200);
    expect(results.filter((r) => r.body.courseCompleted)).toHaveLength(1);
    const [e] = await enrollmentRows(learner.id, course.id);
    expect(e!.status).toBe('completed');
    expect(await notificationsOf(learner.id, 'course_completed')).toHaveLength(1);
  });

  it('the same lesson completed 10 times in parallel is one progress row', async () => {
    const { learner, course } = await enrolledLearner({ lessonsPerModule: 3 });
    await Promise.all(Array.from({ length: 10 }, () => complete(learner, course.lessonIds[0]!)));
    expect(await db().select().from(lessonProgress).where(eq(lessonProgress.userId, learner.id))).toHaveLength(1);
  });
});

describe('my learning', () => {
  it('lists my courses with title, progress, next lesson and completion, newest first, with a cursor', async () => {
    const t = await verifiedTeacher();
    const a = await createCourse(t, { title: { ru: 'Курс А', en: 'Course A' }, lessonsPerModule: 2 });
    const b = await createCourse(t, { title: { ru: 'Курс Б' }, lessonsPerModule: 1 });
    const learner = await registerUser();
    await expectStatus(enroll(learner, a.id), 201);
    await expectStatus(enroll(learner, b.id), 201);
    await expectStatus(complete(learner, a.lessonIds[0]!), 200);
    await expectStatus(complete(learner, b.lessonIds[0]!), 200);
    const res = await api('GET', '/api/me/learning?lang=en', { token: learner.token });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.items.map((i: { course: { id: string } }) => i.course.id)).toEqual([b.id, a.id]);
    const [itemB, itemA] = res.body.items;
    expect(itemA).toMatchObject({
      status: 'active',
      available: true,
      progress: { completed: 1, total: 2, percent: 50 },
      nextLesson: { id: a.lessonIds[1], title: 'Lesson 1.2' },
    });
    expect(itemA.course.title).toBe('Course A');
    expect(itemB).toMatchObject({ status: 'completed', progress: { percent: 100 }, nextLesson: null });
    expect(itemB.completedAt).toBeTruthy();
    const p1 = await api('GET', '/api/me/learning?limit=1', { token: learner.token });
    expect(p1.body.items).toHaveLength(1);
    const p2 = await api('GET', `/api/me/learning?limit=1&cursor=${encodeURIComponent(p1.body.nextCursor)}`, { token: learner.token });
    expect(p2.body.items.map((i: { course: { id: string } }) => i.course.id)).toEqual([a.id]);
    expect(p2.body.nextCursor).toBeNull();
    // Someone else's learning is not mine.
    const other = await registerUser();
    expect((await api('GET', '/api/me/learning', { token: other.token })).body.items).toEqual([]);
  });

  it('is a constant number of SQL statements, whatever the number of courses (no N+1)', async () => {
    const t = await verifiedTeacher();
    const learner = await registerUser();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createCourse(t, { modules: 2, lessonsPerModule: 2 }));
    const count = async () => {
      let statements = 0;
      const ctx = testCtx({ onQuery: () => statements++ });
      const page = await listMyLearning(ctx, actorOf(learner), { lang: 'ru', limit: 50 });
      return { statements, items: page.items.length };
    };
    await expectStatus(enroll(learner, made[0]!.id), 201);
    await expectStatus(complete(learner, made[0]!.lessonIds[0]!), 200);
    const one = await count();
    for (const c of made.slice(1)) {
      await expectStatus(enroll(learner, c.id), 201);
      await expectStatus(complete(learner, c.lessonIds[1]!), 200);
    }
    const five = await count();
    expect(one.items).toBe(1);
    expect(five.items).toBe(5);
    expect(five.statements).toBe(one.statements);
    expect(five.statements).toBe(1);
  });

  it('the course page state: enrollment, progress, favorite, my review — mine only', async () => {
    const { learner, course } = await enrolledLearner();
    await expectStatus(complete(learner, course.lessonIds[0]!), 200);
    await expectStatus(api('PUT', `/api/me/favorites/${course.id}`, { token: learner.token }), 201);
    const mine = await api('GET', `/api/me/courses/${course.id}`, { token: learner.token });
    expect(mine.status, show(mine)).toBe(200);
    expect(mine.body).toMatchObject({
      enrolled: true,
      status: 'active',
      favorite: true,
      review: null,
      teacher: false,
      progress: { completed: 1, total: 2 },
    });
    const other = await registerUser();
    const theirs = await api('GET', `/api/me/courses/${course.id}`, { token: other.token });
    expect(theirs.body).toMatchObject({ enrolled: false, progress: null, favorite: false, completedLessonIds: [] });
  });
});

describe('favorites', () => {
  it('PUT adds (201, then 200), GET lists newest first with a cursor, DELETE removes; each user has their own', async () => {
    const t = await verifiedTeacher();
    const a = await createCourse(t);
    const b = await createCourse(t);
    const u = await registerUser();
    const add = await api('PUT', `/api/me/favorites/${a.id}`, { token: u.token });
    expect(add.status, show(add)).toBe(201);
    expect((await api('PUT', `/api/me/favorites/${a.id}`, { token: u.token })).status).toBe(200);
    await expectStatus(api('PUT', `/api/me/favorites/${b.id}`, { token: u.token }), 201);
    const p1 = await api('GET', '/api/me/favorites?limit=1', { token: u.token });
    expect(p1.status, show(p1)).toBe(200);
    expect(p1.body.items.map((i: { course: { id: string } }) => i.course.id)).toEqual([b.id]);
    const p2 = await api('GET', `/api/me/favorites?limit=1&cursor=${encodeURIComponent(p1.body.nextCursor)}`, { token: u.token });
    expect(p2.body.items.map((i: { course: { id: string } }) => i.course.id)).toEqual([a.id]);
    expect((await api('GET', '/api/me/favorites', { token: (await registerUser()).token })).body.items).toEqual([]);
    expect((await api('DELETE', `/api/me/favorites/${a.id}`, { token: u.token })).status).toBe(204);
    expect((await api('DELETE', `/api/me/favorites/${a.id}`, { token: u.token })).status).toBe(204);
    expect(
      (await api('GET', '/api/me/favorites', { token: u.token })).body.items.map((i: { course: { id: string } }) => i.course.id),
    ).toEqual([b.id]);
  });

  it('an unpublished or unknown course cannot be a favorite (404)', async () => {
    const t = await verifiedTeacher();
    const draft = await createCourse(t, { publish: false });
    const u = await registerUser();
    expect((await api('PUT', `/api/me/favorites/${draft.id}`, { token: u.token })).status).toBe(404);
    expect((await api('PUT', `/api/me/favorites/${crypto.randomUUID()}`, { token: u.token })).status).toBe(404);
    expect((await api('GET', '/api/me/favorites', { token: u.token })).body.items).toEqual([]);
  });
});

describe('batch', () => {
  it("runs the caller's GETs with their credentials and answers each with its status and body", async () => {
    const { learner, course } = await enrolledLearner();
    const res = await api('POST', '/api/batch', {
      token: learner.token,
      body: {
        requests: [
          { path: '/api/me' },
          { method: 'get', path: `/api/courses/${course.id}/progress` },
          { path: '/api/me/learning?limit=5' },
          { path: `/api/courses/${crypto.randomUUID()}` },
          { path: '/api/me/notifications/unread-count' },
        ],
      },
    });
    expect(res.status, show(res)).toBe(200);
    const statuses = res.body.responses.map((r: { status: number }) => r.status);
    expect(statuses, show(res)).toEqual([200, 200, 200, 404, 200]);
    expect(res.body.responses[0].body.user.id).toBe(learner.id);
    expect(res.body.responses[1].body.courseId).toBe(course.id);
    expect(res.body.responses[2].body.items[0].course.id).toBe(course.id);
    expect(res.body.responses[3].body.error.code).toBe('not_found');
  });

  it('sub-requests are authenticated as the caller: anonymous batches get 401 inside', async () => {
    const res = await api('POST', '/api/batch', { body: { requests: [{ path: '/api/me' }, { path: '/api/categories' }] } });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.responses.map((r: { status: number }) => r.status)).toEqual([401, 200]);
  });

  it('applies the same rate limits as the individual calls', async () => {
    const ip = uniqueIp();
    const batch = () =>
      api('POST', '/api/batch', {
        headers: { 'cf-connecting-ip': ip },
        body: { requests: Array.from({ length: 20 }, (_, i) => ({ path: `/api/search?q=batch${i}` })) },
      });
    const statuses = [...(await batch()).body.responses, ...(await batch()).body.responses, ...(await batch()).body.responses].map(
      (r: { status: number }) => r.status,
    );
    // The search policy allows a burst of 45 per client: the rest are 429, as they would be one by one.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(45);
  });

  it.each([
    ['21 requests', { requests: Array.from({ length: 21 }, () => ({ path: '/api/search?q=x' })) }, 'requests'],
    ['a non-GET request', { requests: [{ path: '/api/search?q=x' }, { method: 'POST', path: '/api/search?q=x' }] }, 'requests.1.method'],
    ['a path outside the API', { requests: [{ path: '/api/search?q=x' }, { path: '/ru/courses' }] }, 'requests.1.path'],
    ['a path escaping the API', { requests: [{ path: '/api/search?q=x' }, { path: '/api/../ru/courses' }] }, 'requests.1.path'],
    ['another origin', { requests: [{ path: '/api/search?q=x' }, { path: 'http://evil.test/api/search' }] }, 'requests.1.path'],
    ['the batch itself', { requests: [{ path: '/api/search?q=x' }, { path: '/api/batch' }] }, 'requests.1.path'],
    ['no requests', { requests: [] }, 'requests'],
  ])('%s → 400, nothing executed', async (_l, body, field) => {
    const ip = uniqueIp();
    const res = await api('POST', '/api/batch', { headers: { 'cf-connecting-ip': ip }, body });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty(field);
    // No search ran for this client: its allowance is untouched.
    const direct = await api('GET', '/api/search?q=x', { headers: { 'cf-connecting-ip': ip } });
    expect(direct.headers.get('ratelimit-remaining')).toBe('44');
  });
});
