/**
 * (2) The learning loop in a real browser: enroll, favorite, study and complete a course,
 * my learning, a review, and a notification arriving live over the WebSocket while the
 * notifications page is open (the bell's count follows without a reload).
 */
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 250 };

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status: number): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('browser journeys — learning', () => {
  test('(2) a learner enrolls, completes a course, reviews it and gets the teacher’s reply live', async ({ expect }) => {
    const word = uniqueWord();
    const teacher = account('teacher');
    const token = await apiLogin(teacher.email, teacher.password);
    const course = await ok(
      apiCall('POST', '/api/courses', {
        token,
        body: { title: { en: `Birdwatching ${word}` }, description: { en: 'Birds around us' }, language: 'en' },
      }),
      201,
    );
    const mod = await ok(apiCall('POST', `/api/courses/${course.id}/modules`, { token, body: { title: { en: 'Basics' } } }), 201);
    for (const title of ['Binoculars', 'Field notes']) {
      await ok(
        apiCall('POST', `/api/modules/${mod.id}/lessons`, {
          token,
          body: { title: { en: title }, body: { en: `# ${title}\n\nRead **this**.` } },
        }),
        201,
      );
    }
    await ok(apiCall('POST', `/api/courses/${course.id}/publish`, { token }), 200);

    await withPage('02-learner-learning-loop', async (page) => {
      await page.goto('/en/register');
      await page.locator('#register-name').fill(`Dana ${word}`);
      await page.locator('#register-email').fill(uniqueEmail('learner'));
      await page.locator('#register-password').fill(`Sabaq-${word}-learner`);
      await page.locator('#register-consent').check();
      await page.locator('#register-form button[type="submit"]').click();
      await page.waitForURL((url) => !url.pathname.endsWith('/register'));

      // Enroll and favorite on the course page.
      await page.goto(`/en/courses/${course.id}`);
      await page.locator('#course-enroll').click();
      await page.locator('#course-continue').waitFor();
      expect(await page.locator('#course-continue').textContent()).toBe('Start learning');
      expect(await page.locator('#course-progress progress').getAttribute('value')).toBe('0');
      await page.locator('#course-favorite').click();
      await expect.poll(() => page.locator('#course-favorite').getAttribute('aria-pressed'), POLL).toBe('true');
      // The enrollment notification reached the bell over the live socket.
      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).toBe('1');

      // Study: mark both lessons complete, following "next lesson".
      await page.locator('#course-continue').click();
      await page.waitForURL(/\/en\/lessons\//);
      await page.locator('#lesson-complete').click();
      await expect.poll(() => page.locator('#lesson-complete').getAttribute('aria-pressed'), POLL).toBe('true');
      expect(await page.locator('#lesson-next').textContent()).toBe('Next lesson: Field notes');
      await page.locator('#lesson-next').click();
      await expect.poll(() => page.locator('#record-title').textContent(), POLL).toBe('Field notes');
      await page.locator('#lesson-complete').click();
      await expect.poll(() => page.locator('#lesson-status').textContent(), POLL).toBe('Congratulations! You have completed the course.');
      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).toBe('2');

      // My learning: 100 %, completed; favorites: the course.
      await page.goto('/en/learn');
      const card = page.locator('#me-list-items li', { hasText: `Birdwatching ${word}` });
      await card.waitFor();
      expect(await card.locator('progress').getAttribute('value')).toBe('100');
      expect(await card.locator('.done-mark').textContent()).toMatch(/^✓ Completed on /);
      await page.goto('/en/favorites');
      await page.locator('#me-list-items li', { hasText: `Birdwatching ${word}` }).waitFor();

      // Review: a rating is required, then it is published.
      await page.goto(`/en/courses/${course.id}`);
      await page.locator('#review-form').waitFor();
      await page.locator('#review-form button[type="submit"]').click();
      await page.locator('#review-rating-1-error').waitFor();
      await page.locator('#review-rating-5').check();
      await page.locator('#review-text').fill('Lovely course');
      await page.locator('#review-form button[type="submit"]').click();
      await expect.poll(() => page.locator('#reviews-status').textContent(), POLL).toBe('Thank you! Your review is published.');
      expect(await page.locator('#review-list li').first().textContent()).toContain('Lovely course');

      // With the notifications page open, the teacher replies: it appears without a reload.
      await page.goto('/en/notifications');
      await page.locator('#me-list-items li').first().waitFor();
      const before = await page.locator('#me-list-items li').count();
      const [review] = (await ok(apiCall('GET', `/api/courses/${course.id}/reviews`), 200)).items;
      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).not.toBe('');
      const bell = Number(await page.locator('[data-unread-count]').textContent());
      await ok(apiCall('POST', `/api/reviews/${review.id}/reply`, { token, body: { text: 'Thank you!' } }), 201);
      await expect.poll(() => page.locator('#me-list-items li').count(), POLL).toBe(before + 1);
      expect(await page.locator('#me-list-items li').first().textContent()).toContain(
        `The teacher replied to your review of “Birdwatching ${word}”.`,
      );
      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).toBe(String(bell + 1));
      await page.locator('#notifications-read-all').click();
      await expect.poll(() => page.locator('[data-unread-badge]').isHidden(), POLL).toBe(true);
    });
  });
});
