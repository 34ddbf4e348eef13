import { describe, expect, it } from 'vitest';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { verifiedTeacher } from '../../tests/support/users.ts';

describe('"What you will learn" (course outcomes)', () => {
  it('are optional, localized in the course detail, and limited', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher);
    const none = await api('GET', `/api/courses/${course.id}?lang=en`);
    expect(none.status, show(none)).toBe(200);
    expect(none.body.outcomes).toEqual([]);

    const outcomes = [{ ru: 'Решать уравнения', en: 'Solve equations' }, { ru: 'Считать проценты' }];
    const patched = await api('PATCH', `/api/courses/${course.id}`, { token: teacher.token, body: { outcomes } });
    expect(patched.status, show(patched)).toBe(200);
    expect(patched.body.outcomes).toEqual(outcomes);
    // English where written, else the course's own language.
    const en = await api('GET', `/api/courses/${course.id}?lang=en`);
    expect(en.body.outcomes).toEqual(['Solve equations', 'Считать проценты']);

    const tooMany = await api('PATCH', `/api/courses/${course.id}`, {
      token: teacher.token,
      body: { outcomes: Array.from({ length: 13 }, (_, i) => ({ en: `Point ${i}` })) },
    });
    expect(tooMany.status, show(tooMany)).toBe(400);
    const empty = await api('PATCH', `/api/courses/${course.id}`, { token: teacher.token, body: { outcomes: [{}] } });
    expect(empty.status, show(empty)).toBe(400);
    expect((await api('GET', `/api/courses/${course.id}?lang=en`)).body.outcomes).toEqual(['Solve equations', 'Считать проценты']);
  });
});
