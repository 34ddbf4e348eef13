/**
 * (Dashboards) A teacher keeps the pulse open; a learner in another browser context completes
 * a lesson; the pulse follows over the live socket without a reload. The admin's operations
 * chart counts traffic sent after the page opened, and its request, error, latency, queue and
 * dead-letter charts are all drawn. Both pages at phone width (360 px).
 */
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, login, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 250 };
const PHONE = { viewport: { width: 360, height: 740 } };

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status: number): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('browser journeys — dashboards', () => {
  test("the teacher's pulse updates live when a learner completes a lesson in another browser", async ({ expect }) => {
    const word = uniqueWord();
    const teacher = account('teacher');
    const token = await apiLogin(teacher.email, teacher.password);
    const course = await ok(
      apiCall('POST', '/api/courses', { token, body: { title: { en: `Pulse ${word}` }, description: { en: 'Live' }, language: 'en' } }),
      201,
    );
    const mod = await ok(apiCall('POST', `/api/courses/${course.id}/modules`, { token, body: { title: { en: 'One' } } }), 201);
    const lesson = await ok(
      apiCall('POST', `/api/modules/${mod.id}/lessons`, { token, body: { title: { en: `Lesson ${word}` }, body: { en: 'Text' } } }),
      201,
    );
    await ok(apiCall('POST', `/api/courses/${course.id}/publish`, { token }), 200);
    const learnerEmail = uniqueEmail('pulse');
    const learnerPassword = `Sabaq-${word}-pulse`;
    await ok(
      apiCall('POST', '/api/auth/register', {
        body: { email: learnerEmail, password: learnerPassword, name: `Dana ${word}`, role: 'learner', language: 'en' },
      }),
      201,
    );
    await ok(apiCall('POST', `/api/courses/${course.id}/enrollment`, { token: await apiLogin(learnerEmail, learnerPassword) }), 201);

    await withPage(
      'dashboards-teacher-pulse',
      async (page) => {
        await login(page, teacher.email, teacher.password, { next: '/en/dashboard' });
        await page.goto('/en/dashboard');
        const lessonsToday = page.locator('[data-pulse="lessonCompletionsToday"]');
        await expect.poll(() => lessonsToday.textContent(), POLL).toMatch(/^\d+$/);
        const before = Number(await lessonsToday.textContent());
        const loadedAt = await page.locator('#dash-pulse').getAttribute('data-updated');
        // The chart has its title and its values as a table.
        expect(await page.locator('#chart-overview svg title').textContent()).toBe('Enrollments and completions over time');
        expect(await page.locator('#chart-overview table caption').textContent()).toBe('Enrollments and completions over time');
        // No horizontal scrolling at 360 px.
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);

        await withPage('dashboards-learner-completes', async (learnerPage) => {
          await login(learnerPage, learnerEmail, learnerPassword);
          await learnerPage.goto(`/en/lessons/${lesson.id}`);
          await learnerPage.locator('#lesson-complete').click();
          await expect.poll(() => learnerPage.locator('#lesson-complete').getAttribute('aria-pressed'), POLL).toBe('true');
        });

        // Within the poll interval's first seconds: the socket's event, not the 30 s poll, refreshed it.
        await expect.poll(() => lessonsToday.textContent(), { timeout: 10_000, interval: 100 }).toBe(String(before + 1));
        await expect.poll(() => page.locator('#dash-completions').textContent(), POLL).toContain(`Dana ${word}`);
        expect(await page.locator('#dash-pulse').getAttribute('data-updated')).not.toBe(loadedAt);
        expect(await page.locator('#dash-completions').textContent()).not.toContain(learnerEmail);
      },
      PHONE,
    );
  });

  test('the admin sees the operations numbers move after traffic', async ({ expect }) => {
    const admin = account('admin');
    await withPage(
      'dashboards-admin-ops',
      async (page) => {
        await login(page, admin.email, admin.password, { next: '/en/admin/dashboard' });
        await page.goto('/en/admin/dashboard');
        const ops = page.locator('#adm-ops');
        await expect.poll(() => page.locator('#chart-requests').count(), POLL).toBe(1);
        const before = Number(await ops.getAttribute('data-requests'));
        for (let i = 0; i < 20; i++) await apiCall('GET', '/api/courses?limit=1');
        // Re-read (switching the window re-reads the operations rows).
        await page.locator('#adm-window').selectOption('day');
        await expect.poll(async () => Number(await ops.getAttribute('data-requests')), POLL).toBeGreaterThanOrEqual(before + 20);
        expect(await page.locator('#adm-families').textContent()).toContain('courses');
        expect(await page.locator('[data-role="teacher"]').textContent()).toMatch(/^\d+$/);
        // Every operations chart is there, each with its title and its values as a table.
        for (const id of [
          'chart-requests',
          'chart-errors',
          'chart-error-rate',
          'chart-p95',
          'chart-family-p95',
          'chart-queue-depth',
          'chart-queue-age',
          'chart-dlq',
        ]) {
          expect(await page.locator(`#${id} svg title`).count(), id).toBe(1);
          expect(await page.locator(`#${id} table caption`).count(), id).toBe(1);
        }
        expect(await page.locator('#chart-queue-depth svg title').textContent()).toBe('Messages waiting or in work');
        expect(await page.locator('#adm-cache').textContent()).toMatch(/^Cache hit rate: (\d+ %|—)$/);
        // The report queue's backlog is sampled by the read itself: its row shows a number, not a dash.
        const reportsRow = page.locator('#adm-queue-table tr', { hasText: 'sabaq-reports' }).first();
        expect(await reportsRow.locator('td').first().textContent()).toMatch(/^\d+$/);
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
      },
      PHONE,
    );
  });
});
