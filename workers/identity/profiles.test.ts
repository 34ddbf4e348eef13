import { describe, expect, it } from 'vitest';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { registerUser, verifiedTeacher } from '../../tests/support/users.ts';

describe('public teacher profiles', () => {
  it('show the bio (with a language fallback), only published courses and the rating; the course page links there', async () => {
    const t = await verifiedTeacher();
    const patch = await api('PATCH', '/api/me', { token: t.token, body: { bio: { ru: 'Учитель <b>физики</b>', en: 'Physics teacher' } } });
    expect(patch.status, show(patch)).toBe(200);
    expect(patch.body.user.bio).toEqual({ ru: 'Учитель <b>физики</b>', en: 'Physics teacher' });
    const published = await createCourse(t, { title: { en: 'Optics for everyone' }, language: 'en' });
    const draft = await createCourse(t, { title: { en: 'Secret draft' }, language: 'en', publish: false });

    const en = await api('GET', `/api/teachers/${t.id}?lang=en`);
    expect(en.status, show(en)).toBe(200);
    expect(en.body).toMatchObject({
      id: t.id,
      name: 'Test teacher',
      bio: 'Physics teacher',
      bioLang: 'en',
      rating: { average: 0, count: 0 },
    });
    expect(en.body.courses.map((c: { id: string }) => c.id)).toEqual([published.id]);
    expect(en.body.courses.map((c: { id: string }) => c.id)).not.toContain(draft.id);
    // No Kazakh bio: the account's language (ru) is shown instead, and says so.
    const kk = await api('GET', `/api/teachers/${t.id}?lang=kk`);
    expect(kk.body).toMatchObject({ bio: 'Учитель <b>физики</b>', bioLang: 'ru' });

    const page = await api('GET', `/kk/teachers/${t.id}`);
    expect(page.status, show(page)).toBe(200);
    expect(page.headers.get('cache-control')).toContain('public');
    expect(page.text).toContain('<h1 id="teacher-name">Test teacher</h1>');
    expect(page.text).toContain('lang="ru">Учитель &lt;b&gt;физики&lt;/b&gt;</p>');
    expect(page.text).toContain(`href="/kk/courses/${published.id}"`);
    expect(page.text).not.toContain('Secret draft');
    expect(page.text).not.toContain('noindex');

    const coursePage = await api('GET', `/en/courses/${published.id}`);
    expect(coursePage.text).toContain(`<a href="/en/teachers/${t.id}" id="course-teacher-link">Test teacher</a>`);
  });

  it('learners, unverified teachers and unknown ids have no public page (404)', async () => {
    const learner = await registerUser();
    const pending = await registerUser('teacher');
    for (const id of [learner.id, pending.id, crypto.randomUUID(), 'nope']) {
      expect((await api('GET', `/api/teachers/${id}`)).status, id).toBe(404);
      expect((await api('GET', `/en/teachers/${id}`)).status, id).toBe(404);
    }
  });

  it('a bio is text: control characters and overlong texts are refused, unknown languages too', async () => {
    const t = await verifiedTeacher();
    for (const bio of [{ en: 'bad\u0000text' }, { en: 'x'.repeat(2001) }, { de: 'Hallo' }]) {
      const res = await api('PATCH', '/api/me', { token: t.token, body: { bio } });
      expect(res.status, show(res)).toBe(400);
    }
  });
});
