import { describe, expect, it } from 'vitest';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { enroll, review } from '../../tests/support/learning.ts';
import { PASSWORD, registerUser, uniqueIp, verifiedTeacher } from '../../tests/support/users.ts';

/** Counters on a course follow every deletion path: nothing is left that nobody can see or undo. */
describe('account deletion gives back what the account counted (security)', () => {
  it('a learner enrolls, rates 1★ and deletes the account → the course shows no rating and no enrollment, cached pages included', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { publish: true });
    const stays = await registerUser();
    await enroll(stays, course.id);
    expect((await review(stays, course.id, { rating: 5 })).status).toBe(201);

    const bomber = await registerUser();
    expect((await enroll(bomber, course.id)).status).toBe(201);
    expect((await review(bomber, course.id, { rating: 1, text: 'bad' })).status).toBe(201);
    // Read (and cache) the course page and its reviews with both counted.
    const before = await api('GET', `/api/courses/${course.id}`);
    expect(before.body.rating, show(before)).toEqual({ average: 3, count: 2 });
    expect(before.body.enrollmentCount).toBe(2);
    expect((await api('GET', `/api/courses/${course.id}/reviews`)).body.rating).toEqual({ average: 3, count: 2 });

    const del = await api('DELETE', '/api/me', {
      token: bomber.token,
      body: { password: PASSWORD },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(del.status, show(del)).toBe(204);

    const after = await api('GET', `/api/courses/${course.id}`);
    expect(after.body.rating, show(after)).toEqual({ average: 5, count: 1 });
    expect(after.body.enrollmentCount).toBe(1);
    const reviews = await api('GET', `/api/courses/${course.id}/reviews`);
    expect(reviews.body.rating, show(reviews)).toEqual({ average: 5, count: 1 });
    expect(reviews.body.items).toHaveLength(1);
  });

  it('the only rater and learner leaving brings the course back to count 0 and enrollmentCount 0', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { publish: true });
    const learner = await registerUser();
    await enroll(learner, course.id);
    await review(learner, course.id, { rating: 1 });
    expect((await api('GET', `/api/courses/${course.id}`)).body.rating).toEqual({ average: 1, count: 1 });
    const del = await api('DELETE', '/api/me', {
      token: learner.token,
      body: { password: PASSWORD },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(del.status, show(del)).toBe(204);
    const after = await api('GET', `/api/courses/${course.id}`);
    expect(after.body.rating, show(after)).toEqual({ average: 0, count: 0 });
    expect(after.body.enrollmentCount).toBe(0);
  });

  it('a hidden review was not counted, so deleting its author changes the rating by nothing', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { publish: true });
    const learner = await registerUser();
    await enroll(learner, course.id);
    const mine = await review(learner, course.id, { rating: 1 });
    const { createAdmin } = await import('../../tests/support/users.ts');
    const admin = await createAdmin();
    const hide = await api('POST', `/api/admin/reviews/${mine.body.review.id}/hide`, { token: admin.token });
    expect(hide.status, show(hide)).toBe(200);
    expect((await api('GET', `/api/courses/${course.id}`)).body.rating).toEqual({ average: 0, count: 0 });
    await api('DELETE', '/api/me', { token: learner.token, body: { password: PASSWORD }, headers: { 'cf-connecting-ip': uniqueIp() } });
    const after = await api('GET', `/api/courses/${course.id}`);
    expect(after.body.rating, show(after)).toEqual({ average: 0, count: 0 });
    expect(after.body.enrollmentCount).toBe(0);
  });
});
