/**
 * Journeys through the site in a real browser, against the whole platform (setup.ts).
 * Each journey leaves a screenshot of its last page in test-results/browser/.
 * More journeys (learner enroll/complete, parent assessment + PDF) belong here or in a
 * sibling *.test.ts file using the same fixtures.
 */
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, confirmEmail, login, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 250 };

/** Text of the polite live region the studio announces changes in. */
const liveText = (page: Page) => page.locator('#studio-live').textContent();

/** Computed outline of the focused element: a visible focus ring has a style and a width. */
function focusRing(page: Page): Promise<{ id: string; style: string; width: string }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    const cs = el ? getComputedStyle(el) : null;
    return { id: el ? el.id : '', style: cs ? cs.outlineStyle : 'none', width: cs ? cs.outlineWidth : '0px' };
  })()`);
}

/** Presses Tab until the element with this id has focus (keyboard only). */
async function tabTo(page: Page, id: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if ((await focusRing(page)).id === id) return;
  }
  throw new Error(`#${id} never received focus after ${max} Tab presses`);
}

// Concurrent: use the test context's `expect` (expect.poll needs to know its test).
describe.concurrent('browser journeys', () => {
  test('(1) a visitor searches in Kazakh with a typo from the home page and opens a course', ({ expect }) =>
    withPage('01-visitor-search-kk', async (page) => {
      await page.goto('/kk/');
      const box = page.locator('#home-search');
      await box.fill('математка'); // "математика" with a letter missing
      await box.press('Enter');
      await page.waitForURL(/\/kk\/search\?q=/);

      const first = page.locator('#search-results .card a.card__link').first();
      await first.waitFor();
      expect((await first.textContent())?.toLowerCase()).toContain('математика');
      const title = (await first.textContent())!.trim();

      await first.click();
      await page.waitForURL(/\/kk\/courses\/[^/]+$/);
      await expect.poll(() => page.locator('#course-title').textContent(), POLL).toBe(title);
      expect(await page.locator('html').getAttribute('lang')).toBe('kk');
    }));

  test('(4) a teacher registers, an admin verifies them, the teacher publishes a course that shows up in the catalog and search', async ({
    expect,
  }) => {
    const email = uniqueEmail('teacher');
    const password = `Sabaq-${uniqueWord()}-teacher`;
    const word = uniqueWord();
    const courseTitle = `Astronomy for curious minds ${word}`;
    const admin = account('admin');

    // The teacher signs up and waits for verification.
    await withPage('04a-teacher-pending', async (teacher) => {
      await teacher.goto('/en/register');
      await teacher.locator('#register-name').fill(`Aigerim ${word}`);
      await teacher.locator('#register-email').fill(email);
      await teacher.locator('#register-password').fill(password);
      await teacher.locator('#register-role').selectOption('teacher');
      await teacher.locator('#register-consent').check();
      await teacher.locator('#register-form button[type="submit"]').click();
      await teacher.waitForURL(/\/en\/studio$/);
      await teacher.locator('#studio-pending').waitFor();
      // Publishing will need a confirmed address: the link from the (dev) mailbox.
      await confirmEmail(teacher, email);
      await teacher.goto('/en/studio');
      await teacher.locator('#studio-pending').waitFor();
      expect(await teacher.locator('#studio-pending h2').textContent()).toBe('Waiting for verification');
      expect(await teacher.locator('#new-course-form').isVisible()).toBe(false);
    });

    // The admin verifies the teacher from the queue.
    await withPage('04b-admin-verifies', async (page) => {
      await login(page, admin.email, admin.password, { next: '/en/admin' });
      const row = page.locator('#teacher-list li', { hasText: email });
      await row.waitFor();
      await row.locator('[data-action="verify"]').click();
      await row.waitFor({ state: 'detached' });
      await expect.poll(() => page.locator('#teachers [data-announce]').textContent(), POLL).toContain('is verified');
    });

    await withPage('04c-teacher-publishes', async (page) => {
      await login(page, email, password, { next: '/en/studio' });
      await page.locator('#new-course-form').waitFor();

      // Bad input first: no title in any language is refused next to the field.
      await page.locator('#new-course-form button[type="submit"]').click();
      await expect
        .poll(() => page.locator('#new-course-title-en-error').textContent(), POLL)
        .toContain('Enter a title in at least one language.');

      await page.locator('#new-course-title-en').fill(courseTitle);
      await page.locator('#new-course-description-en').fill('Planets, stars and the night sky.');
      await page.locator('#new-course-panel-kk-tab').click(); // the Kazakh tab
      await page.locator('#new-course-title-kk').fill(`Қызық астрономия ${word}`);
      await page.locator('#new-language').selectOption('en');
      await page.locator('#new-level').selectOption('beginner');
      await page.locator('#new-category').selectOption('math');
      await page.locator('#new-tags').fill('space, stars');
      await page.locator('#new-course-form button[type="submit"]').click();
      await page.waitForURL(/\/en\/studio\?course=/);
      await expect.poll(() => page.locator('#editor-title').textContent(), POLL).toBe(courseTitle);
      const courseId = new URL(page.url()).searchParams.get('course')!;

      // A module, then publishing too early: the API's 409 is shown.
      await page.locator('#module-add-title').fill('The solar system');
      await page.locator('#module-add-title').press('Enter');
      await page.locator('.studio-module').waitFor();
      await page.locator('#editor-publish').click();
      await expect.poll(() => page.locator('#editor-publish-error').textContent(), POLL).toBe('Add at least one lesson before publishing.');

      // Two lessons through the module's own form (focus stays in it).
      const addLesson = page.locator('[data-add-lesson] input[name="title"]');
      await addLesson.fill('Planets');
      await addLesson.press('Enter');
      await page.locator('.studio-lessons > li').first().waitFor();
      await page.locator('[data-add-lesson] input[name="title"]').fill('Stars');
      await page.locator('[data-add-lesson] input[name="title"]').press('Enter');
      await expect.poll(() => page.locator('.studio-lessons > li').count(), POLL).toBe(2);

      // Reorder with the buttons: one PUT with the whole list per move, announced politely.
      const orders: string[][] = [];
      page.on('request', (req) => {
        if (req.method() === 'PUT' && req.url().includes('/lessons/order'))
          orders.push((JSON.parse(req.postData() ?? '{}') as { ids: string[] }).ids);
      });
      const lessons = page.locator('.studio-lessons > li');
      const ids = await lessons.evaluateAll((items) => items.map((li) => li.getAttribute('data-lesson-id') ?? ''));
      await lessons.nth(1).locator('[data-focus$=":up"]').click();
      await expect.poll(() => liveText(page), POLL).toBe('Lesson “Stars” moved to position 1 of 2.');
      expect(await lessons.first().textContent()).toContain('Stars');
      // Its "Up" is now disabled, so focus moved to its "Down": move it back with the keyboard.
      expect(await page.evaluate('document.activeElement.dataset.focus')).toBe(`lesson:${ids[1]}:down`);
      await page.keyboard.press('Enter');
      await expect.poll(() => liveText(page), POLL).toBe('Lesson “Stars” moved to position 2 of 2.');
      expect(await page.evaluate('document.activeElement.dataset.focus')).toBe(`lesson:${ids[1]}:up`);
      await expect.poll(() => orders.length, POLL).toBe(2);
      expect(orders).toEqual([
        [ids[1], ids[0]],
        [ids[0], ids[1]],
      ]);

      // The lesson editor: Markdown body and free preview.
      await lessons.first().locator('[data-focus$=":edit"]').click();
      await page.locator('#lesson-form').waitFor();
      await page.locator('#lesson-body-en').fill('# Planets\n\nEight planets go round the **Sun**.');
      await page.locator('#lesson-duration').fill('12');
      await page.locator('#lesson-preview').check();
      await page.locator('#lesson-form button[type="submit"]').click();
      await page.locator('#lesson-dialog').waitFor({ state: 'hidden' });
      await lessons.first().locator('.studio-badge--preview').waitFor();

      await page.locator('#editor-publish').click();
      await expect.poll(() => page.locator('#editor-state').textContent(), POLL).toBe('Published');
      expect(await page.locator('#editor-publish-error').isVisible()).toBe(false);

      // The server agrees: published, lessons in the order left.
      const curriculum = await apiCall('GET', `/api/courses/${courseId}/curriculum?lang=en`);
      expect(curriculum.status).toBe(200);
      expect(curriculum.body.modules[0].lessons.map((l: { title: string }) => l.title)).toEqual(['Planets', 'Stars']);
    });

    // A visitor finds it in the catalog and in search within seconds.
    await withPage('04d-visitor-finds-course', async (page) => {
      const started = Date.now();
      await expect
        .poll(
          async () => {
            await page.goto('/en/courses');
            await page.locator('#catalog-results .card, #catalog-results [data-state="empty"]:not([hidden])').first().waitFor();
            return page.locator('.card a.card__link', { hasText: courseTitle }).count();
          },
          { timeout: 10_000, interval: 500 },
        )
        .toBe(1);
      await page.goto(`/en/search?q=${encodeURIComponent(`astronomy ${word}`)}`);
      await page.locator('.card a.card__link', { hasText: courseTitle }).waitFor();
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  test('(5) keyboard-only login: Tab to the fields, type, Enter; focus is visible; the account page shows the user', ({ expect }) =>
    withPage('05-keyboard-login', async (page) => {
      const learner = account('learner');
      await page.goto('/en/login?next=/en/account');

      // The first Tab reaches the skip link, which becomes visible.
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.className')).toBe('skip-link');
      const skip = await page.locator('.skip-link').boundingBox();
      expect(skip && skip.y >= 0).toBe(true);

      await tabTo(page, 'login-email');
      let ring = await focusRing(page);
      expect(ring.style).not.toBe('none');
      expect(parseFloat(ring.width)).toBeGreaterThanOrEqual(2);
      await page.keyboard.type(learner.email);

      await page.keyboard.press('Tab');
      ring = await focusRing(page);
      expect(ring.id).toBe('login-password');
      expect(ring.style).not.toBe('none');
      expect(parseFloat(ring.width)).toBeGreaterThanOrEqual(2);
      await page.keyboard.type(learner.password);
      await page.keyboard.press('Enter');

      await page.waitForURL(/\/en\/account$/);
      await expect.poll(() => page.locator('#account-email').textContent(), POLL).toBe(learner.email);
      expect(await page.locator('#account-name').textContent()).toBe('Aida Learner');
    }));

  test('an admin rejects a teacher with a reason (in Kazakh); the teacher then sees the decision in the studio', ({ expect }) =>
    withPage('admin-rejects-kk', async (page) => {
      const email = uniqueEmail('rejected');
      const password = `Sabaq-${uniqueWord()}-teacher`;
      const name = `Bolat ${uniqueWord()}`;
      const registered = await apiCall('POST', '/api/auth/register', { body: { email, password, name, language: 'kk', role: 'teacher' } });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);

      const admin = account('admin');
      await login(page, admin.email, admin.password, { lang: 'kk', next: '/kk/admin' });
      const row = page.locator('#teacher-list li', { hasText: email });
      await row.locator('[data-action="reject"]').click();
      await page.locator('#reject-dialog').waitFor();
      expect(await page.evaluate('document.activeElement.id')).toBe('reject-reason');

      // No reason: refused next to the field, in Kazakh.
      await page.locator('#reject-form button[type="submit"]').click();
      await expect.poll(() => page.locator('#reject-reason-error').textContent(), POLL).toContain('Бұл өрісті толтырыңыз.');
      await page.locator('#reject-reason').fill('Біліктілік туралы құжат жоқ.');
      await page.locator('#reject-form button[type="submit"]').click();
      await page.locator('#reject-dialog').waitFor({ state: 'hidden' });
      await row.waitFor({ state: 'detached' });
      await expect.poll(() => page.locator('#teachers [data-announce]').textContent(), POLL).toBe(`${name}: профиль қабылданбады.`);

      // The rejected list shows the reason.
      await page.locator('#teachers-status').selectOption('rejected');
      await expect
        .poll(() => page.locator('#teacher-list li', { hasText: email }).textContent(), POLL)
        .toContain('Біліктілік туралы құжат жоқ.');

      await page.context().clearCookies();
      await login(page, email, password, { lang: 'kk', next: '/kk/studio' });
      await page.locator('#studio-rejected').waitFor();
      expect(await page.locator('#studio-rejected h2').textContent()).toBe('Оқытушы профилі мақұлданбады');
    }));

  test('an admin hides a review from the admin page; the course page no longer shows it', ({ expect }) =>
    withPage('admin-hides-review', async (page) => {
      const word = uniqueWord();
      const ok = async (res: Promise<{ status: number; body: any }>, status: number) => {
        const r = await res;
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        return r.body;
      };
      // A fresh course of the demo teacher, and a new learner's review of it, through the API.
      const teacher = account('teacher');
      const token = await apiLogin(teacher.email, teacher.password);
      const course = await ok(
        apiCall('POST', '/api/courses', {
          token,
          body: { title: { en: `Moderated ${word}` }, description: { en: 'Reviews' }, language: 'en' },
        }),
        201,
      );
      const mod = await ok(apiCall('POST', `/api/courses/${course.id}/modules`, { token, body: { title: { en: 'One' } } }), 201);
      await ok(
        apiCall('POST', `/api/modules/${mod.id}/lessons`, { token, body: { title: { en: 'Only lesson' }, body: { en: 'Text' } } }),
        201,
      );
      await ok(apiCall('POST', `/api/courses/${course.id}/publish`, { token }), 200);
      const name = `Rude ${word}`;
      const learner = await ok(
        apiCall('POST', '/api/auth/register', {
          body: { email: uniqueEmail('reviewer'), password: `Sabaq-${word}-learner`, name, language: 'en', role: 'learner' },
        }),
        201,
      );
      await ok(apiCall('POST', `/api/courses/${course.id}/enrollment`, { token: learner.accessToken }), 201);
      await ok(
        apiCall('POST', `/api/courses/${course.id}/reviews`, { token: learner.accessToken, body: { rating: 1, text: `Spam ${word}` } }),
        201,
      );

      const admin = account('admin');
      await login(page, admin.email, admin.password, { next: '/en/admin' });
      const row = page.locator('#review-list li', { hasText: `Spam ${word}` });
      expect(await row.locator('a').textContent()).toBe(`Moderated ${word}`);
      await row.locator('[data-action="hide"]').click();
      // Redrawn in place, focus on its (now "Show") button, the outcome announced.
      await row.locator('[data-action="unhide"]').waitFor();
      expect(await row.getAttribute('data-hidden')).toBe('true');
      expect(await page.evaluate('document.activeElement.dataset.action')).toBe('unhide');
      await expect.poll(() => page.locator('#reviews [data-announce]').textContent(), POLL).toBe(`The review by ${name} is hidden.`);

      await page.goto(`/en/courses/${course.id}`);
      await page.locator('#reviews-empty').waitFor();
      expect(await page.locator('#review-list li').count()).toBe(0);
    }));

  test('studio forms show the API’s field errors next to the field in the page language, and fit a 360 px screen', ({ expect }) =>
    withPage(
      'studio-field-errors-ru-360',
      async (page) => {
        const teacher = account('teacher');
        await login(page, teacher.email, teacher.password, { lang: 'ru', next: '/ru/studio' });
        await page.locator('#studio-course-list li').first().waitFor();

        // A category that no longer exists (the list on the page is stale): only the API can refuse it.
        await page.locator('#new-course-title-ru').fill('Курс с устаревшей категорией');
        await page.evaluate(`(() => {
          const select = document.getElementById('new-category');
          select.append(new Option('Удалённая категория', 'gone-category'));
          select.value = 'gone-category';
        })()`);
        await page.locator('#new-course-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#new-category-error').textContent(), POLL).toContain('Выберите категорию из списка.');
        expect(await page.locator('#new-category').getAttribute('aria-invalid')).toBe('true');
        expect(await page.locator('#new-course-form [data-form-error]').textContent()).toContain('Проверьте');

        const width = await page.evaluate('document.documentElement.scrollWidth');
        expect(width).toBeLessThanOrEqual(360);
      },
      { viewport: { width: 360, height: 740 } },
    ));
});
