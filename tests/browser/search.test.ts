/**
 * Search as a visitor uses it: suggestions while typing (a keyboard-usable combobox), results
 * of both kinds with their count and order, and a test found by search opening on the tests page.
 */
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, withPage } from './fixtures.ts';

/** Letters only: full-text search treats it as one word. */
const letters = () => Array.from({ length: 9 }, () => 'bcdfghjklmnpqrstvwxz'[Math.floor(Math.random() * 20)]).join('');

async function publishedCourseAndTest(word: string) {
  const teacher = account('teacher');
  const token = await apiLogin(teacher.email, teacher.password);
  const quiz = await apiCall('POST', '/api/tests', {
    token,
    body: {
      kind: 'quiz',
      courseId: null,
      title: { en: `Quick check ${word}` },
      timeLimitSec: null,
      passMark: 0.5,
      questions: [
        {
          key: 'q1',
          type: 'single',
          text: { en: '2 + 2?' },
          options: [
            { key: 'a', text: { en: '4' }, correct: true },
            { key: 'b', text: { en: '5' } },
          ],
        },
      ],
    },
  });
  if (quiz.status !== 201) throw new Error(`test: ${quiz.status}`);
  await apiCall('POST', `/api/tests/${quiz.body.id}/publish`, { token });
  const course = await apiCall('POST', '/api/courses', { token, body: { title: { en: `Basics of ${word}` }, language: 'en' } });
  const mod = await apiCall('POST', `/api/courses/${course.body.id}/modules`, { token, body: { title: { en: 'One' } } });
  await apiCall('POST', `/api/modules/${mod.body.id}/lessons`, { token, body: { title: { en: 'First' }, body: { en: 'Text' } } });
  const pub = await apiCall('POST', `/api/courses/${course.body.id}/publish`, { token });
  if (pub.status !== 200) throw new Error(`publish: ${pub.status}`);
  return { courseId: course.body.id as string, testId: quiz.body.id as string };
}

describe.concurrent('search', () => {
  test('suggestions while typing: arrows choose, Escape closes, Enter opens the course', async ({ expect }) => {
    const word = letters();
    const { courseId } = await publishedCourseAndTest(word);
    await withPage('search-01-suggestions', async (page) => {
      await page.goto('/en/');
      const box = page.locator('#home-search');
      await box.click();
      await page.keyboard.type(word.slice(0, 6), { delay: 30 });
      const options = page.locator('#home-search-suggestions [role="option"]');
      await expect.poll(() => options.count(), { timeout: 10_000 }).toBe(2);
      expect(await box.getAttribute('role')).toBe('combobox');
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      expect(await options.nth(0).textContent()).toContain(`Basics of ${word}`);
      expect(await options.nth(1).textContent()).toContain('Test');
      await expect.poll(() => page.locator('[data-suggest-status]').first().textContent()).toMatch(/2 suggestions/);

      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      expect(await box.getAttribute('aria-activedescendant')).toBe('home-search-suggestions-1');
      expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('ArrowUp');
      expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('Escape');
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(await page.locator('#home-search-suggestions').isHidden()).toBe(true);

      await page.keyboard.type(word.slice(6, 7), { delay: 30 });
      await expect.poll(() => box.getAttribute('aria-expanded'), { timeout: 10_000 }).toBe('true');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/en/courses/${courseId}`));
    });
  });

  test('results of both kinds with their count, an order to choose, and a test opening on the tests page (360 px)', async ({ expect }) => {
    const word = letters();
    const { courseId, testId } = await publishedCourseAndTest(word);
    await withPage(
      'search-02-results',
      async (page) => {
        await page.goto(`/en/search?q=${word}`);
        const cards = page.locator('#search-results .card');
        await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
        expect(await page.locator('#search-count').textContent()).toBe('2 results');
        const testCard = page.locator('#search-results .card[data-kind="test"]');
        expect(await testCard.textContent()).toContain('Test · Quiz');
        expect(await testCard.locator('a').getAttribute('href')).toBe(`/en/tests?test=${testId}`);

        // Newest first: the course was published after the test.
        await page.selectOption('#search-sort', 'newest');
        await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('newest');
        await expect.poll(() => cards.first().getAttribute('data-kind')).toBe('course');
        expect(await cards.first().locator('a').getAttribute('href')).toBe(`/en/courses/${courseId}`);
        // Nothing wider than the screen.
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

        await testCard.locator('a').click();
        await page.waitForURL(/\/en\/tests\?test=/);
        await page.locator('#tests-chosen:not([hidden])').waitFor();
        expect(await page.locator('#tests-chosen-list').textContent()).toContain(`Quick check ${word}`);
        expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('tests-chosen-title');
      },
      { viewport: { width: 360, height: 740 } },
    );
  });
});
