/**
 * (7) The live socket's races, made to happen on purpose: the bell and the notifications
 * page must end up showing what the database holds, whatever order the count reads, the
 * socket's handshake and the pushes arrive in.
 */
import type { Page, Request, Route } from 'playwright-core';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, login, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 100 };

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status: number): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A published course of the demo teacher, to enroll in (enrolling notifies the learner). */
async function publishedCourse(word: string): Promise<string> {
  const token = await apiLogin(account('teacher').email, account('teacher').password);
  const course = await ok(
    apiCall('POST', '/api/courses', { token, body: { title: { en: `Live ${word}` }, description: { en: 'Races' }, language: 'en' } }),
    201,
  );
  const mod = await ok(apiCall('POST', `/api/courses/${course.id}/modules`, { token, body: { title: { en: 'One' } } }), 201);
  await ok(apiCall('POST', `/api/modules/${mod.id}/lessons`, { token, body: { title: { en: 'Only' }, body: { en: 'Text' } } }), 201);
  await ok(apiCall('POST', `/api/courses/${course.id}/publish`, { token }), 200);
  return course.id;
}

/** A new learner, logged in on the page; returns an API token of the same account. */
async function newLearner(page: Page, word: string): Promise<string> {
  const email = uniqueEmail('live');
  const password = `Sabaq-${word}-live`;
  await ok(
    apiCall('POST', '/api/auth/register', { body: { email, password, name: `Live ${word}`, role: 'learner', language: 'en' } }),
    201,
  );
  await login(page, email, password);
  // Off the site, so no request of the landing page meets the routes a test sets next.
  await page.goto('about:blank');
  return apiLogin(email, password);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Every value the bell has shown on the page since this call. */
async function recordBell(page: Page): Promise<() => Promise<string[]>> {
  // A string, since this file is type-checked without the DOM library.
  await page.evaluate(`(() => {
    const node = document.querySelector('[data-unread-count]');
    window.bellSeen = [];
    new MutationObserver(() => window.bellSeen.push(node.textContent ?? '')).observe(node, { childList: true, characterData: true, subtree: true });
  })()`);
  return () => page.evaluate<string[]>('window.bellSeen');
}

describe('browser journeys — live updates', () => {
  test('(7a) a count read before a notification was committed, answered after its push, does not set the bell back', async ({ expect }) => {
    const word = uniqueWord();
    const courseId = await publishedCourse(word);
    await withPage('07a-live-stale-count', async (page) => {
      const token = await newLearner(page, word);

      // Hold the page's first unread-count answer (read now, so it says 0) until after the
      // enrollment's push has reached the page; let every later read through.
      const release = deferred();
      const reads: Request[] = [];
      let held: Promise<void> | undefined;
      await page.route('**/api/me/notifications/unread-count', async (route: Route) => {
        reads.push(route.request());
        if (reads.length > 1) return route.continue();
        const stale = await route.fetch();
        held = release.promise.then(() => route.fulfill({ response: stale }));
        await held;
      });
      await page.goto('/en/learn');
      // The socket is up once "ready" made the bell read again.
      await expect.poll(() => reads.length, POLL).toBeGreaterThanOrEqual(2);

      await ok(apiCall('POST', `/api/courses/${courseId}/enrollment`, { token }), 201);
      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).toBe('1');

      const seen = await recordBell(page);
      const answered = page.waitForEvent('requestfinished', (r) => r === reads[0]);
      release.resolve();
      await held;
      await answered;
      // Give the page's script its turn with the stale answer, then check it was ignored.
      await page.waitForTimeout(1_000);
      expect(await seen(), 'values the bell showed after the stale answer').not.toContain('0');
      expect(await page.locator('[data-unread-count]').textContent()).toBe('1');
    });
  });

  test('(7b) a notification pushed while the page’s socket is still connecting is caught up by the bell and the open notifications page', async ({
    expect,
  }) => {
    const word = uniqueWord();
    const courseId = await publishedCourse(word);
    await withPage('07b-live-push-before-connect', async (page) => {
      const token = await newLearner(page, word);

      // Hold the live ticket (so the socket cannot open) until the push has gone nowhere.
      const release = deferred();
      let ticketAsked = false;
      await page.route('**/api/me/live/ticket', async (route: Route) => {
        if (ticketAsked) return route.continue();
        ticketAsked = true;
        await release.promise;
        await route.continue();
      });
      await page.goto('/en/notifications');
      await expect.poll(() => ticketAsked, POLL).toBe(true);
      await page.locator('#me-list [data-state="empty"]').waitFor();
      await expect.poll(() => page.locator('[data-unread-badge]').isHidden(), POLL).toBe(true);

      await ok(apiCall('POST', `/api/courses/${courseId}/enrollment`, { token }), 201);
      release.resolve();

      await expect.poll(() => page.locator('[data-unread-count]').textContent(), POLL).toBe('1');
      await expect.poll(() => page.locator('#me-list-items li').count(), POLL).toBe(1);
      expect(await page.locator('#me-list-items li').first().textContent()).toContain(`Live ${word}`);
    });
  });
});
