/**
 * The first hour on a fresh start, with nothing but the demo content (scripts/local/demo/):
 * a visitor finds a demo screening, the demo parent takes it for the demo child (answers in
 * words), reads the band and opens the PDF report; the demo learner finishes a demo course,
 * downloads the certificate and opens its public verification page. Screenshots of the
 * course page, the certificate and the verification page land in test-results/browser/.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, onTestFinished, test } from 'vitest';
import { account, apiCall, axeViolations, login, newPage, SCREENSHOT_DIR, screenshot, uniqueWord, withPage } from './fixtures.ts';
import { ROOT } from './platform.ts';

const POLL = { timeout: 15_000, interval: 250 };
const ANXIETY = 'Anxiety in children aged 7–12: a questionnaire for parents (demo)';
const COURSE = 'How to learn effectively';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text;
}

/**
 * A PNG of a PDF's first page (test-results/browser/<name>.png): headless Chromium has no PDF
 * viewer, so pdf.js (the build unpdf ships) draws it on a canvas in a throwaway page.
 */
async function pdfScreenshot(bytes: Uint8Array, name: string): Promise<string> {
  const page = await newPage();
  try {
    const pdfjs = readFileSync(join(ROOT, 'node_modules/unpdf/dist/pdfjs.mjs'));
    await page.route('http://pdf.invalid/**', (route) =>
      new URL(route.request().url()).pathname === '/pdfjs.mjs'
        ? route.fulfill({ body: pdfjs, contentType: 'text/javascript' })
        : route.fulfill({ body: '<!doctype html><body style="margin:0"><canvas id="c"></canvas></body>', contentType: 'text/html' }),
    );
    await page.goto('http://pdf.invalid/view.html');
    // A string (not a function) so the root type check, which has no DOM types, accepts it.
    await page.evaluate(`(async () => {
      const { getDocument } = await import('/pdfjs.mjs');
      const data = Uint8Array.from(atob(${JSON.stringify(Buffer.from(bytes).toString('base64'))}), (c) => c.charCodeAt(0));
      const pdf = await getDocument({ data, isEvalSupported: false }).promise;
      const first = await pdf.getPage(1);
      const viewport = first.getViewport({ scale: 1.5 });
      const canvas = document.getElementById('c');
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      await first.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
    })()`);
    return await screenshot(page, name);
  } finally {
    await page.context().close();
  }
}

describe('browser journeys — the first hour with demo content', () => {
  test('a visitor finds a demo screening; the demo parent takes it for the demo child and opens the PDF', async ({ expect }) => {
    await withPage('21-demo-assessment', async (page) => {
      // A visitor: the tests catalog already lists the demo screenings.
      await page.goto('/en/tests');
      const card = page.locator('#tests-list > li', { hasText: ANXIETY });
      await card.waitFor();
      expect(await card.textContent()).toContain('not a diagnosis');
      expect(await page.locator('#tests-list > li', { hasText: 'Attention and activity in children aged 6–12' }).count()).toBe(1);

      // The demo parent: the demo child has two earlier results, drawn as a chart over time.
      const parent = account('parent');
      await login(page, parent.email, parent.password, { next: '/en/parent' });
      const child = page.locator('#children-list > li', { hasText: 'Алихан' });
      await child.waitFor();
      const trend = child.locator('figure.trend');
      await trend.waitFor();
      expect(await trend.locator('figcaption').textContent()).toBe(`Change over time: ${ANXIETY}`);
      expect(await trend.locator('svg[role="img"]').getAttribute('aria-labelledby')).toBe(
        await trend.locator('figcaption').getAttribute('id'),
      );
      expect(await trend.locator('.trend__legend').textContent()).toBe('Anxiety: 16 → 9');
      expect(await trend.locator('table tbody tr').count()).toBe(2);
      await screenshot(page, '21-parent-trend');
      expect(await axeViolations(page)).toEqual([]);

      await child.locator('[data-take-test]').click();
      await page.waitForURL(/\/en\/tests\?/);
      await expect.poll(() => page.locator('#tests-child option:checked').textContent(), POLL).toBe('Алихан');
      await page.locator('#tests-list > li', { hasText: ANXIETY }).locator('[data-start]').click();
      await page.waitForURL(/\/en\/attempts\/[0-9a-f-]{36}$/);

      // Likert answers carry words, not bare numbers.
      await page.locator('#q-worry').waitFor();
      expect((await page.locator('label:has(#q-worry-0)').textContent())?.trim()).toBe('Never (0)');
      expect((await page.locator('label:has(#q-worry-3)').textContent())?.trim()).toBe('Almost always (3)');
      const keys = ['worry', 'school', 'body', 'sleep', 'separation', 'reassurance', 'avoid', 'mistakes', 'new', 'tense'];
      for (const [i, key] of keys.entries()) await page.locator(`#q-${key}-${i < 4 ? 2 : 1}`).check();
      await expect.poll(() => page.locator('#attempt-save-state').textContent(), POLL).toBe('All answers are saved.');
      await page.locator('#attempt-submit').click();
      await page.locator('#attempt-confirm[open]').waitFor();
      await page.locator('#attempt-confirm-submit').click();

      // 4 × 2 + 6 × 1 = 14 → "Noticeable anxiety", with the school psychologist's advice.
      await page.waitForURL(/\/en\/results\/[0-9a-f-]{36}$/);
      const scale = page.locator('.result-scale[data-scale="anxiety"]');
      await scale.waitFor();
      expect(await scale.locator('[data-band-label]').textContent()).toBe('Noticeable anxiety');
      expect(await scale.textContent()).toContain('school psychologist');

      await page.locator('#report-request').click();
      await expect
        .poll(() => page.locator('#report-status').textContent(), { timeout: 60_000, interval: 250 })
        .toBe('The report is ready.');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#report-download').click()]);
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = await pdfText(bytes);
      // The child's profile language is Russian and the test has Russian text: Russian labels throughout.
      for (const expected of ['Sabaq', 'Алихан', 'Возраст на момент теста:', 'Заметная тревожность', 'Этот отчёт не является диагнозом.'])
        expect(text).toContain(expected);
      expect(text).not.toContain('Age at the time');
      await pdfScreenshot(bytes, '21-report-pdf');
      await screenshot(page, '21-demo-assessment-result');
    });
  });

  test('the demo learner finishes a demo course, downloads the certificate and opens its verification page', async ({ expect }) => {
    const list = await apiCall<{ items: { id: string; title: string }[] }>('GET', '/api/courses?lang=en&limit=50');
    const course = list.body.items.find((c) => c.title === COURSE);
    if (!course) throw new Error(`demo course "${COURSE}" not in the catalog: ${JSON.stringify(list.body).slice(0, 400)}`);
    const learner = account('learner');
    // The pictures (course page, certificate, verification page), named in the log.
    const shots: string[] = [];
    onTestFinished(() => {
      if (shots.length)
        console.log(
          `[firsthour] screenshots in ${relative(ROOT, SCREENSHOT_DIR)}/: ${shots.map((f) => relative(SCREENSHOT_DIR, f)).join(', ')}`,
        );
    });

    await withPage('21-certificate-verification', async (page) => {
      await login(page, learner.email, learner.password);
      await page.goto(`/en/courses/${course.id}`);
      // The personal part has loaded (the favorite button shows only to a signed-in visitor).
      await page.locator('#course-favorite').waitFor();
      const learners = Number((await page.locator('#course-learners').textContent())?.match(/\d+/)?.[0] ?? 'NaN');
      await page.locator('#course-enroll').click();
      await page.locator('#course-continue').waitFor();
      // The learner count follows the enrollment without a reload.
      await expect.poll(() => page.locator('#course-learners').textContent(), POLL).toBe(`${learners + 1} learners`);
      // Total duration (12 + 10 + 10 minutes) and "what you will learn".
      expect(await page.locator('#course-duration').textContent()).toBe('32 min');
      expect(await page.locator('#course-outcomes li').allTextContents()).toEqual([
        'Remember for longer with active recall',
        'Plan your reviews',
        'Protect your attention and sleep',
      ]);
      shots.push(await screenshot(page, '21-course-page'));

      await page.locator('#course-continue').click();
      await page.waitForURL(/\/en\/lessons\//);
      // Three lessons: complete each, following "next lesson".
      for (let i = 0; i < 3; i++) {
        // One <h1>, the outline beside the lesson marks it current and the earlier ones done.
        await page.locator('#lesson-outline [aria-current="page"]').waitFor();
        expect(await page.locator('h1').count()).toBe(1);
        expect(await page.locator('#lesson-outline [aria-current="page"]').textContent()).toBe(
          await page.locator('#record-title').textContent(),
        );
        expect(await page.locator('#lesson-outline li[data-state="done"]').count()).toBe(i);
        expect(await page.locator('#lesson-prev').isVisible()).toBe(i > 0);
        if (i === 1) expect(await axeViolations(page)).toEqual([]);
        // By keyboard: a mouse click here was lost twice in ~6 runs on this loaded machine (see notes).
        await page.locator('#lesson-complete').focus();
        await page.keyboard.press('Enter');
        await expect
          .poll(
            async () =>
              `${await page.locator('#lesson-complete').getAttribute('aria-pressed')} ${await page.locator('#lesson-status').textContent()}`,
            {
              timeout: 30_000,
              interval: 250,
            },
          )
          .toMatch(/^true /);
        // "You have completed this lesson" once, not twice.
        expect(await page.getByText('You have completed this lesson.').count()).toBe(1);
        if (i < 2) {
          const title = await page.locator('#record-title').textContent();
          await page.locator('#lesson-next').click();
          await expect.poll(() => page.locator('#record-title').textContent(), POLL).not.toBe(title);
        }
      }
      await expect.poll(() => page.locator('#lesson-status').textContent(), POLL).toBe('Congratulations! You have completed the course.');

      // The notification links to the certificate's verification page.
      await page.goto('/en/notifications');
      const note = page.locator('#me-list-items li', { hasText: `You completed “${COURSE}”` });
      await note.waitFor();
      const verifyHref = await note.locator('a').getAttribute('href');
      expect(verifyHref).toMatch(/^\/en\/certificates\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

      // My certificates: ready once the queue rendered it.
      await expect
        .poll(
          async () => {
            await page.goto('/en/certificates');
            const item = page.locator('#me-list-items li', { hasText: COURSE });
            await item.waitFor();
            return item.locator('[data-certificate-download]').count();
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toBe(1);
      const item = page.locator('#me-list-items li', { hasText: COURSE });
      expect(await item.textContent()).toContain('Teacher: Нурлан Сейткали');
      const [download] = await Promise.all([page.waitForEvent('download'), item.locator('[data-certificate-download]').click()]);
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const code = verifyHref!.split('/').pop()!;
      const text = await pdfText(bytes);
      for (const expected of ['Aida Learner', 'Нурлан Сейткали', code, `/certificates/${code}`]) expect(text).toContain(expected);
      shots.push(await pdfScreenshot(bytes, '21-certificate-pdf'));
      shots.push(await screenshot(page, '21-my-certificates'));
      expect(await axeViolations(page)).toEqual([]);

      // The public page, as anyone who scans the QR code sees it.
      await page.context().clearCookies();
      await page.goto(verifyHref!);
      await expect.poll(() => page.locator('#certificate-status').textContent(), POLL).toBe('✓ Valid certificate');
      expect(await page.locator('#certificate-learner').textContent()).toBe('Aida Learner');
      expect(await page.locator('#certificate-course').textContent()).toBe(COURSE);
      expect(await page.locator('#certificate-code').textContent()).toBe(code);
      expect(await page.locator('h1').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      shots.push(await screenshot(page, '21-certificate-verification-page'));
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
      await page.setViewportSize({ width: 1280, height: 900 });

      // An unknown code says so.
      await page.goto('/en/certificates/ZZZZ-ZZZZ-ZZZZ');
      await page.locator('[data-state="notfound"]:visible').waitFor();
      await page.goto(verifyHref!);
      await expect.poll(() => page.locator('#certificate-status').textContent(), POLL).toBe('✓ Valid certificate');
    });
  });

  test('rough edges: a long email fits 360 px; a review without stars names the field; an expired session explains itself and returns', async ({
    expect,
  }) => {
    const list = await apiCall<{ items: { id: string; title: string }[] }>('GET', '/api/courses?lang=en&limit=50');
    const course = list.body.items.find((c) => c.title === 'Physics around us');
    if (!course) throw new Error('demo course "Physics around us" missing');
    const word = uniqueWord();
    const email = `a.very.long.address.for.checking.the.account.page.${word}@example-school-district.test`;
    const password = `Sabaq-${word}-learner`;

    await withPage(
      '21-rough-edges',
      async (page) => {
        await page.goto('/en/register');
        await page.locator('#register-name').fill(`Dana ${word}`);
        await page.locator('#register-email').fill(email);
        await page.locator('#register-password').fill(password);
        await page.locator('#register-consent').check();
        await page.locator('#register-form button[type="submit"]').click();
        await page.waitForURL((url) => !url.pathname.endsWith('/register'));

        // The account page at 360 px: the long email wraps instead of widening the page.
        await page.goto('/en/account');
        await expect.poll(() => page.locator('#account-email').textContent(), POLL).toBe(email);
        expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);

        // A review without stars: the summary names the rating, not "1 star".
        await page.goto(`/en/courses/${course.id}`);
        await page.locator('#course-favorite').waitFor();
        await page.locator('#course-enroll').click();
        await page.locator('#review-form').waitFor();
        await page.locator('#review-form button[type="submit"]').click();
        await page.locator('#review-rating-1-error').waitFor();
        expect(await page.locator('#review-rating-1-error').textContent()).toBe('Error: Choose one of the options.');
        const summary = await page.locator('#review-form [data-form-error]').textContent();
        expect(summary).toContain('Your rating: Choose one of the options.');
        expect(summary).not.toContain('1 star');

        // The session runs out while the page is open (both tokens gone, the page still thinks
        // it is signed in): the next click leads to a login that says why, then back here.
        const cookies = await page.context().cookies();
        await page.context().clearCookies();
        await page.context().addCookies(cookies.filter((c) => c.name === 'sabaq_csrf'));
        await page.locator('#course-favorite').click();
        await page.waitForURL(/\/en\/login\?next=.*reason=expired/);
        expect(await page.locator('#login-expired').isVisible()).toBe(true);
        expect(await page.locator('#login-needed').isVisible()).toBe(false);
        await page.locator('#login-email').fill(email);
        await page.locator('#login-password').fill(password);
        await page.locator('#login-form button[type="submit"]').click();
        await page.waitForURL(new RegExp(`/en/courses/${course.id}$`));
        await expect
          .poll(() => page.locator('#site-notice [data-notice-text]').textContent(), POLL)
          .toBe('You are logged in again. If your last action did not go through, please repeat it.');
      },
      { viewport: { width: 360, height: 740 } },
    );
  });
});
