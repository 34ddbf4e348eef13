import { afterEach, describe, expect, it } from 'vitest';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { complete, enroll, review } from '../../tests/support/learning.ts';
import { redisControl } from '../../tests/support/outage.ts';
import { registerUser, verifiedTeacher } from '../../tests/support/users.ts';

describe('learning loop with Redis down', () => {
  afterEach(() => redisControl('resume'));

  it('enrolling, completing, reviewing and reading still work: Redis is off the critical path', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { lessonsPerModule: 1 });
    const learner = await registerUser();
    expect((await redisControl('pause')).status).toBe(204);
    const enrolled = await enroll(learner, c.id);
    expect(enrolled.status, show(enrolled)).toBe(201);
    const done = await complete(learner, c.lessonIds[0]!);
    expect(done.status, show(done)).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', courseCompleted: true });
    const reviewed = await review(learner, c.id, { rating: 5 });
    expect(reviewed.status, show(reviewed)).toBe(201);
    const list = await api('GET', `/api/courses/${c.id}/reviews`);
    expect(list.status, show(list)).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const mine = await api('GET', '/api/me/learning', { token: learner.token });
    expect(mine.status, show(mine)).toBe(200);
    expect(mine.body.items[0].progress.percent).toBe(100);
    expect((await api('GET', '/api/me/notifications/unread-count', { token: learner.token })).body.count).toBe(2);
  });
});
