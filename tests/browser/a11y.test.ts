/**
 * axe-core on the pages the first hour added (issue 21): certificates list, certificate
 * verification, teacher profile, forgot / reset / verify, search with suggestions open, the
 * lesson page with its outline, the parent page with the trend chart. Each page in Russian
 * and Kazakh, at 360 px and 1280 px, signed in where the page needs it. Rule set: WCAG 2.0 /
 * 2.1 / 2.2 A and AA plus axe's best practices (`AXE_TAGS` in fixtures.ts); any violation of
 * any impact fails, as does a page wider than the 360 px screen. A page with violations
 * leaves test-results/browser/a11y-<page>-<lang>-<width>.png.
 */
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, axeViolations, login, screenshot, uniqueEmail, uniqueWord, withPage, type Lang } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };
const LANGS: Lang[] = ['ru', 'kk'];
const SIZES = [
  { width: 360, height: 740 },
  { width: 1280, height: 900 },
];

/**
 * Opens `path(lang)` for each language, waits for `ready`, and runs axe at each width. Returns
 * "lang width: violation" lines (empty when clean).
 */
async function audit(
  page: Page,
  name: string,
  path: (lang: Lang) => string,
  ready: (page: Page, lang: Lang) => Promise<void>,
): Promise<string[]> {
  const found: string[] = [];
  for (const lang of LANGS) {
    await page.setViewportSize(SIZES[1]!);
    await page.goto(path(lang));
    await ready(page, lang);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const here = (await axeViolations(page)).map((v) => `${name} ${lang} ${size.width}px: ${v}`);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      if (overflow > 0) here.push(`${name} ${lang} ${size.width}px: the page is ${overflow} px wider than the screen`);
      if (here.length) await screenshot(page, `a11y-${name}-${lang}-${size.width}`);
      found.push(...here);
    }
  }
  return found;
}

/** The newest `kind` link sent to `email`, read from the dev mailbox without following it. */
async function mailLink(page: Page, email: string, kind: 'reset' | 'verify'): Promise<URL> {
  const link = page.locator(`article a[href*="/${kind}?token="]`).first();
  for (let i = 0; i < 40 && !(await link.count()); i++) {
    await page.goto(`/dev/mail?to=${encodeURIComponent(email)}`);
    if (!(await link.count())) await page.waitForTimeout(250);
  }
  return new URL((await link.getAttribute('href'))!, page.url());
}

/** A new learner (signed up through the API, so with a verification letter in the dev mailbox). */
async function newLearner(prefix: string): Promise<{ email: string; password: string; token: string }> {
  const email = uniqueEmail(prefix);
  const password = `Sabaq-${uniqueWord()}-learner`;
  const res = await apiCall('POST', '/api/auth/register', {
    body: { email, password, name: `Dana ${uniqueWord()}`, language: 'ru', role: 'learner' },
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, token: await apiLogin(email, password) };
}

describe.concurrent('accessibility (axe) of the first-hour pages, ru and kk, 360 px and 1280 px', () => {
  test('the checker itself finds violations (a clean result means something)', async ({ expect }) => {
    await withPage('a11y-self-check', async (page) => {
      await page.setContent('<!doctype html><html><body><img src="x.png"><input type="text"></body></html>');
      const found = await axeViolations(page);
      expect(found.some((v) => v.startsWith('image-alt (critical)'))).toBe(true);
      expect(found.some((v) => v.startsWith('label ('))).toBe(true);
      expect(found.some((v) => v.startsWith('html-has-lang ('))).toBe(true);
    });
  });

  test('teacher profile, search with its suggestions open, forgot password', async ({ expect }) => {
    const list = await apiCall<{ items: { teacher: { id: string } }[] }>('GET', '/api/courses?lang=ru&limit=1');
    const teacherId = list.body.items[0]!.teacher.id;
    await withPage('a11y-public', async (page) => {
      const found = [
        ...(await audit(
          page,
          'teacher',
          (lang) => `/${lang}/teachers/${teacherId}`,
          async (p) => {
            await p.locator('#teacher-courses .card').first().waitFor();
          },
        )),
        ...(await audit(
          page,
          'search',
          (lang) => `/${lang}/search?q=${encodeURIComponent('математика')}`,
          async (p) => {
            await p.locator('#search-results .card').first().waitFor();
            const box = p.locator('#search-q');
            await box.fill('');
            await box.click();
            await p.keyboard.type('матем', { delay: 30 });
            await expect.poll(() => p.locator('#search-q-suggestions [role="option"]').count(), POLL).toBeGreaterThan(0);
            await p.keyboard.press('ArrowDown');
            await expect.poll(() => box.getAttribute('aria-activedescendant'), POLL).toBe('search-q-suggestions-0');
          },
        )),
        ...(await audit(
          page,
          'forgot',
          (lang) => `/${lang}/forgot`,
          async (p) => {
            // The answer state: the form says a letter is on its way (if the account exists).
            await p.locator('#forgot-email').fill(uniqueEmail('nobody'));
            await p.locator('#forgot-form button[type="submit"]').click();
            await expect.poll(() => p.locator('#forgot-form [data-form-status]').textContent(), POLL).not.toBe('');
          },
        )),
      ];
      expect(found).toEqual([]);
    });
  });

  test('reset and verify pages from the dev mailbox: the form with a field error, a confirmed and a spent link', async ({ expect }) => {
    const learner = await newLearner('a11y.mail');
    const forgot = await apiCall('POST', '/api/auth/password/forgot', { body: { email: learner.email, language: 'ru' } });
    expect(forgot.status, JSON.stringify(forgot.body)).toBe(202);
    await withPage('a11y-mail-links', async (page) => {
      const reset = await mailLink(page, learner.email, 'reset');
      const verify = await mailLink(page, learner.email, 'verify');
      const found = [
        ...(await audit(
          page,
          'reset',
          (lang) => `${reset.pathname.replace(/^\/(ru|kk|en)\//, `/${lang}/`)}${reset.search}`,
          async (p) => {
            // A password too short: the error next to the field is part of what is checked.
            await p.locator('#reset-password').fill('short');
            await p.locator('#reset-form button[type="submit"]').click();
            await p.locator('#reset-password-error:visible').waitFor();
          },
        )),
        // Russian confirms the address; Kazakh then shows the spent link's error.
        ...(await audit(
          page,
          'verify',
          (lang) => `${verify.pathname.replace(/^\/(ru|kk|en)\//, `/${lang}/`)}${verify.search}`,
          async (p, lang) => {
            await expect.poll(() => p.locator('#verify-status').getAttribute('data-result'), POLL).toBe(lang === 'ru' ? 'ok' : 'error');
          },
        )),
      ];
      expect(found).toEqual([]);
    });
  });

  test('a learner: the lesson page with its outline, my certificates, the verification page (valid and unknown code)', async ({
    expect,
  }) => {
    const learner = await newLearner('a11y.learner');
    const courses = await apiCall<{ items: { id: string; title: string }[] }>('GET', '/api/courses?lang=en&limit=50');
    const course = courses.body.items.find((c) => c.title === 'How to learn effectively');
    if (!course) throw new Error('demo course "How to learn effectively" missing');
    const enrolled = await apiCall('POST', `/api/courses/${course.id}/enrollment`, { token: learner.token });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    const curriculum = await apiCall<{ modules: { lessons: { id: string }[] }[] }>('GET', `/api/courses/${course.id}/curriculum?lang=ru`);
    const lessons = curriculum.body.modules.flatMap((m) => m.lessons.map((l) => l.id));
    const complete = async (id: string) => {
      const res = await apiCall('POST', `/api/lessons/${id}/completion?lang=ru`, { token: learner.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await complete(lessons[0]!);

    await withPage('a11y-learner', async (page) => {
      await login(page, learner.email, learner.password, { lang: 'ru' });
      const found = await audit(
        page,
        'lesson',
        (lang) => `/${lang}/lessons/${lessons[1]}`,
        async (p) => {
          // The second lesson: the outline marks the first done and this one current.
          await p.locator('#lesson-outline [aria-current="page"]').waitFor();
          await p.locator('#lesson-outline li[data-state="done"]').waitFor();
        },
      );

      for (const id of lessons.slice(1)) await complete(id);
      let code: string | null = null;
      await expect
        .poll(
          async () => {
            const mine = await apiCall<{ items: { code: string | null }[] }>('GET', '/api/me/certificates', { token: learner.token });
            code = mine.body.items[0]?.code ?? null;
            return code;
          },
          { timeout: 60_000, interval: 500 },
        )
        .toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      found.push(
        ...(await audit(
          page,
          'certificates',
          (lang) => `/${lang}/certificates`,
          async (p) => {
            await p.locator('#me-list-items li').first().waitFor();
          },
        )),
      );
      await page.context().clearCookies();
      found.push(
        ...(await audit(
          page,
          'certificate',
          (lang) => `/${lang}/certificates/${code}`,
          async (p) => {
            await expect.poll(() => p.locator('#certificate-status').getAttribute('data-status'), POLL).toBe('valid');
          },
        )),
        ...(await audit(
          page,
          'certificate-unknown',
          (lang) => `/${lang}/certificates/ZZZZ-ZZZZ-ZZZZ`,
          async (p) => {
            await p.locator('[data-state="notfound"]:visible').waitFor();
          },
        )),
      );
      expect(found).toEqual([]);
    });
  });

  test('the demo parent: the parent page with the trend chart', async ({ expect }) => {
    const parent = account('parent');
    await withPage('a11y-parent', async (page) => {
      await login(page, parent.email, parent.password, { lang: 'ru', next: '/ru/parent' });
      const found = await audit(
        page,
        'parent',
        (lang) => `/${lang}/parent`,
        async (p) => {
          await p.locator('#children-list figure.trend svg[role="img"]').first().waitFor();
        },
      );
      expect(found).toEqual([]);
    });
  });
});
