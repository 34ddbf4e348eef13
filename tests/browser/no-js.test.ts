/**
 * Pages rendered at the edge (workers/site/pages.ts): readable without JavaScript, as a
 * crawler, a link preview or a slow phone sees them; and no layout shift once scripts run.
 */
import { describe, test } from 'vitest';
import { apiCall, withPage } from './fixtures.ts';

interface Course {
  id: string;
  title: string;
  description: string;
  teacher: { name: string };
  lessonCount: number;
  modules: { lessons: { title: string }[] }[];
}

async function someCourse(): Promise<Course> {
  const list = await apiCall<{ items: { id: string }[] }>('GET', '/api/courses?lang=en&limit=20');
  for (const item of list.body.items) {
    const detail = await apiCall<Course>('GET', `/api/courses/${item.id}?lang=en`);
    if (detail.status === 200 && detail.body.lessonCount > 0 && detail.body.description) return detail.body;
  }
  throw new Error('no published course with lessons and a description');
}

describe.concurrent('pages without JavaScript', () => {
  test('a visitor with JavaScript disabled reads a course: title, description, teacher, price, curriculum', ({ expect }) =>
    withPage(
      'nojs-course',
      async (page) => {
        const course = await someCourse();
        const res = await page.goto(`/en/courses/${course.id}`);
        expect(res?.status()).toBe(200);
        expect(await page.title()).toBe(`${course.title} — Sabaq`);
        expect((await page.locator('#course-title').textContent())?.trim()).toBe(course.title);
        const description = page.locator('#course-description');
        expect(await description.isVisible()).toBe(true);
        expect((await description.textContent())?.trim()).toBe(course.description.trim());
        expect(await page.locator('#course-teacher').textContent()).toBe(course.teacher.name);
        expect((await page.locator('#course-price').textContent())?.length).toBeGreaterThan(0);
        expect((await page.locator('#course-rating').textContent())?.length).toBeGreaterThan(0);
        const lessons = page.locator('#course-curriculum a');
        expect(await lessons.count()).toBe(course.lessonCount);
        expect(await lessons.first().textContent()).toBe(course.modules[0]!.lessons[0]!.title);
        expect(await lessons.first().isVisible()).toBe(true);
        // The "this page needs JavaScript" note is gone: the content is there.
        expect(await page.locator('#course > noscript').count()).toBe(0);
        expect(await page.locator('meta[name="robots"]').count()).toBe(0);
      },
      { javaScriptEnabled: false },
    ));

  test('without JavaScript the catalog lists courses and an unknown course is a real 404 page', ({ expect }) =>
    withPage(
      'nojs-catalog-404',
      async (page) => {
        const res = await page.goto('/ru/courses');
        expect(res?.status()).toBe(200);
        const cards = page.locator('#catalog-results .card a.card__link');
        expect(await cards.count()).toBeGreaterThan(0);
        expect(await cards.first().isVisible()).toBe(true);
        const missing = await page.goto('/kk/courses/00000000-0000-4000-8000-000000000000');
        expect(missing?.status()).toBe(404);
        expect(await page.locator('html').getAttribute('lang')).toBe('kk');
        expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
      },
      { javaScriptEnabled: false },
    ));

  test('without JavaScript the public tests page lists the published tests with their facts', ({ expect }) =>
    withPage(
      'nojs-tests',
      async (page) => {
        const published = await apiCall<{ items: { id: string; title: string }[] }>('GET', '/api/tests?lang=en&limit=20');
        expect(published.body.items.length).toBeGreaterThan(0);
        const res = await page.goto('/en/tests');
        expect(res?.status()).toBe(200);
        const items = page.locator('#tests-list > li');
        expect(await items.count()).toBe(published.body.items.length);
        const first = items.first();
        expect(await first.isVisible()).toBe(true);
        expect((await first.locator('h3').textContent())?.trim()).toBe(published.body.items[0]!.title);
        expect(await first.locator('p.muted').textContent()).toMatch(/question/);
        expect(await page.locator('#tests-results > noscript').count()).toBe(0);
      },
      { javaScriptEnabled: false },
    ));

  test('with JavaScript the islands hydrate the rendered course page without shifting it', ({ expect }) =>
    withPage('js-course-no-shift', async (page) => {
      const course = await someCourse();
      await page.goto(`/en/courses/${course.id}`);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('#course').getAttribute('data-prerendered')).toBe('');
      // The course script has run: the personal part (review note) and the reviews are in.
      await expect.poll(() => page.locator('#review-note').isVisible(), { timeout: 15_000, interval: 250 }).toBe(true);
      await expect
        .poll(() => page.locator('#reviews-empty:visible, #review-list > li').count(), { timeout: 15_000, interval: 250 })
        .toBeGreaterThan(0);
      expect((await page.locator('#course-title').textContent())?.trim()).toBe(course.title);
      // Cumulative layout shift since navigation (Chromium's layout-shift entries, buffered).
      const shift = await page.evaluate<number>(`new Promise((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 500);
      })`);
      expect(shift).toBeLessThan(0.01);
    }));
});
