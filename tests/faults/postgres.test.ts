/**
 * Postgres faults, injected into the local Neon endpoint (its SQL-over-HTTP route and its
 * WebSocket proxy, which carries interactive transactions): nothing is half-written, the API
 * answers 503 with Retry-After, and it recovers by itself once Postgres is back.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { attempts, courses, enrollments, results } from '../../db/schema/index.ts';
import { answer, expectStatus, publishedTest, quizDoc, startAttempt } from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { clearFaults, faultStats, recordTally, setFaults } from '../../tests/support/outage.ts';
import { registerUser, testDb, verifiedTeacher } from '../../tests/support/users.ts';

/** A 503 that tells the client when to come back, in the one error shape. */
function unavailableAsDesigned(res: ApiResponse): boolean {
  return (
    res.status === 503 &&
    res.body?.error?.code === 'service_unavailable' &&
    Number(res.headers.get('retry-after')) > 0 &&
    res.body.error.requestId === res.headers.get('x-request-id')
  );
}

describe('Postgres faults', () => {
  afterEach(() => clearFaults('neon'));

  it('connection cut mid-transaction (attempt submission): nothing half-written, 503 + Retry-After, then the same submission succeeds once', async () => {
    const { test } = await publishedTest(quizDoc());
    const takers = await Promise.all(Array.from({ length: 5 }, () => registerUser('learner')));
    const opened = [];
    for (const u of takers) {
      const attempt = await startAttempt(u, test.id);
      await expectStatus(answer(u, attempt.id, 's1', { option: 'a' }), 200);
      opened.push({ u, attempt });
    }

    // The transaction locks the attempt and inserts the result; the connection dies when the
    // attempt's status update is on its way, before COMMIT.
    await setFaults('neon', { match: 'update "attempts" set', fail: 'drop' });
    const during = await Promise.all(opened.map(({ u, attempt }) => api('POST', `/api/attempts/${attempt.id}/submit`, { token: u.token })));
    const stats = await faultStats('neon');
    await clearFaults('neon');

    const db = testDb().db;
    let failedAsDesigned = 0;
    let lost = 0;
    for (const [i, res] of during.entries()) {
      expect(unavailableAsDesigned(res), show(res)).toBe(true);
      const { attempt } = opened[i]!;
      const [row] = await db.select({ status: attempts.status }).from(attempts).where(eq(attempts.id, attempt.id));
      const written = await db.select({ id: results.id }).from(results).where(eq(results.attemptId, attempt.id));
      // Half-written would be a result without a submitted attempt (or the reverse).
      expect({ status: row!.status, results: written.length }).toEqual({ status: 'open', results: 0 });
      failedAsDesigned++;
    }
    expect(stats.drops).toBe(opened.length);

    // Postgres is back: the same requests, no restart of anything.
    for (const { u, attempt } of opened) {
      const res = await api('POST', `/api/attempts/${attempt.id}/submit`, { token: u.token });
      expect(res.status, show(res)).toBe(200);
      expect(res.body.correct, show(res)).toBe(1);
      const written = await db.select({ id: results.id }).from(results).where(eq(results.attemptId, attempt.id));
      if (written.length !== 1) lost++;
    }
    expect(lost).toBe(0);
    await recordTally({ scenario: 'Postgres cut mid-transaction (submit)', tried: during.length, failedAsDesigned, lost });
  });

  it('Postgres down for every call: 503 + Retry-After on reads and writes, then served again without a restart', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher);
    const learner = await registerUser('learner');

    await setFaults('neon', { fail: 'error' });
    const tries = [
      await api('GET', '/api/me', { token: learner.token }),
      await api('POST', `/api/courses/${course.id}/enrollment`, { token: learner.token }),
      await api('GET', '/api/me/learning', { token: learner.token }),
    ];
    await clearFaults('neon');
    let failedAsDesigned = 0;
    for (const res of tries) {
      expect(unavailableAsDesigned(res), show(res)).toBe(true);
      failedAsDesigned++;
    }
    const [enrolledDuring] = await testDb().db.select({ n: courses.enrollmentCount }).from(courses).where(eq(courses.id, course.id));
    expect(enrolledDuring!.n).toBe(0);

    expect((await api('GET', '/api/me', { token: learner.token })).status).toBe(200);
    const again = await api('POST', `/api/courses/${course.id}/enrollment`, { token: learner.token });
    expect(again.status, show(again)).toBe(201);
    await recordTally({ scenario: 'Postgres down (every call)', tried: tries.length, failedAsDesigned, lost: 0 });
  });

  it('a third of statements fail at random while learners enroll: each enrollment is all or nothing, and retrying completes every one exactly once', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher);
    // Registered a few at a time: twenty password hashes at once starve the two cores.
    const learners = [];
    for (let i = 0; i < 4; i++) learners.push(...(await Promise.all(Array.from({ length: 5 }, () => registerUser('learner')))));

    await setFaults('neon', { probability: 0.33, fail: 'error' });
    const first = await Promise.all(learners.map((l) => api('POST', `/api/courses/${course.id}/enrollment`, { token: l.token })));
    await clearFaults('neon');
    let failedAsDesigned = 0;
    const retry = [];
    for (const [i, res] of first.entries()) {
      if (res.status === 201) continue;
      expect(unavailableAsDesigned(res), show(res)).toBe(true);
      failedAsDesigned++;
      retry.push(learners[i]!);
    }
    // Enough calls went through the switch for the share to mean something.
    expect(failedAsDesigned).toBeGreaterThan(0);
    expect(failedAsDesigned).toBeLessThan(learners.length);

    // 201, or 200 when the enrollment had committed and a later statement of the request failed.
    for (const l of retry)
      expect([200, 201]).toContain((await api('POST', `/api/courses/${course.id}/enrollment`, { token: l.token })).status);
    const db = testDb().db;
    const rows = await db.select({ id: enrollments.id }).from(enrollments).where(eq(enrollments.courseId, course.id));
    const [counted] = await db
      .select({ n: courses.enrollmentCount })
      .from(courses)
      .where(and(eq(courses.id, course.id)));
    const lost = Math.abs(learners.length - rows.length) + Math.abs(learners.length - counted!.n);
    expect({ rows: rows.length, count: counted!.n }).toEqual({ rows: learners.length, count: learners.length });
    await recordTally({ scenario: 'Postgres errors on 33% of statements (enroll)', tried: first.length, failedAsDesigned, lost });
  });
});
