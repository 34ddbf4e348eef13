/**
 * (3) A parent's assessment journey in a real browser: add a child, find a published
 * assessment in the tests catalog and start it for the child, answer some questions,
 * reload mid-way and find the answers restored, finish and submit, read the result with
 * its bands, ask for the PDF report, wait until it is ready and download it.
 */
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, login, screenshot, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 250 };

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status: number): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Two scales with bands, a reverse-scored Likert item, single, multiple and text questions. */
function anxietyScale(word: string) {
  const t = (en: string, ru: string, kk: string) => ({ en, ru, kk });
  return {
    kind: 'assessment',
    title: t(`Anxiety check ${word}`, `Шкала тревожности ${word}`, `Мазасыздық шкаласы ${word}`),
    description: t(
      'How worried has the child been lately?',
      'Насколько ребёнок тревожится в последнее время?',
      'Бала соңғы кезде қаншалықты уайымдайды?',
    ),
    timeLimitSec: 1200,
    scales: [
      {
        key: 'anxiety',
        title: t('Anxiety', 'Тревожность', 'Мазасыздық'),
        bands: [
          {
            min: 0,
            max: 7,
            label: t('typical', 'норма', 'қалыпты'),
            text: t('Anxiety is typical for the age.', 'Тревожность в пределах нормы.', 'Мазасыздық қалыпты.'),
          },
          {
            min: 8,
            max: 20,
            label: t('elevated', 'повышена', 'жоғары'),
            text: t('Anxiety is elevated: talk to a specialist.', 'Тревожность повышена.', 'Мазасыздық жоғары.'),
          },
        ],
      },
      {
        key: 'mood',
        title: t('Mood', 'Настроение', 'Көңіл-күй'),
        bands: [
          {
            min: 0,
            max: 1,
            label: t('steady', 'ровное', 'тұрақты'),
            text: t('Mood is steady.', 'Настроение ровное.', 'Көңіл-күй тұрақты.'),
          },
          {
            min: 2,
            max: 3,
            label: t('changeable', 'изменчивое', 'құбылмалы'),
            text: t('Mood changes often.', 'Настроение меняется.', 'Көңіл-күй құбылмалы.'),
          },
        ],
      },
    ],
    questions: [
      {
        key: 'q1',
        type: 'likert',
        text: t('I worry', 'Я волнуюсь', 'Мен уайымдаймын'),
        min: 0,
        max: 4,
        scores: [{ scale: 'anxiety', reverse: false }],
      },
      {
        key: 'q2',
        type: 'likert',
        text: t('I feel calm', 'Я спокоен', 'Мен тыныштымын'),
        min: 0,
        max: 4,
        scores: [{ scale: 'anxiety', reverse: true }],
      },
      {
        key: 'q3',
        type: 'single',
        text: t('How do you sleep?', 'Как ты спишь?', 'Қалай ұйықтайсың?'),
        options: [
          { key: 'a', text: t('badly', 'плохо', 'нашар'), scores: { anxiety: 2, mood: 1 } },
          { key: 'b', text: t('well', 'хорошо', 'жақсы'), scores: { anxiety: 0 } },
        ],
      },
      {
        key: 'q4',
        type: 'multiple',
        text: t('What bothers you?', 'Что беспокоит?', 'Не мазалайды?'),
        options: [
          { key: 'x', text: t('school', 'школа', 'мектеп'), scores: { anxiety: 1 } },
          { key: 'y', text: t('friends', 'друзья', 'достар'), scores: { anxiety: 2, mood: 2 } },
          { key: 'z', text: t('nothing', 'ничего', 'ештеңе') },
        ],
      },
      { key: 'q5', type: 'text', text: t('Tell us more', 'Расскажите подробнее', 'Толығырақ айтып беріңіз') },
    ],
  };
}

describe('browser journeys — assessments', () => {
  test('(3) a parent takes an assessment for a child, resumes after a reload, sees the bands and downloads the PDF report', async ({
    expect,
  }) => {
    const word = uniqueWord();
    const teacher = account('teacher');
    const token = await apiLogin(teacher.email, teacher.password);
    const created = await ok(apiCall('POST', '/api/tests', { token, body: anxietyScale(word) }), 201);
    await ok(apiCall('POST', `/api/tests/${created.id}/publish`, { token }), 200);

    await withPage('03-parent-assessment', async (page) => {
      const parent = account('parent');
      const childName = `Aru ${word}`;
      await login(page, parent.email, parent.password, { next: '/en/parent' });

      // Add a child on the parent page; its entry offers results and "take an assessment".
      await page.locator('#child-name').fill(childName);
      await page.locator('#child-birth-year').fill('2016');
      await page.locator('#child-consent').check();
      await page.locator('#child-add-form button[type="submit"]').click();
      const childEntry = page.locator('#children-list > li', { hasText: childName });
      await childEntry.waitFor();
      await expect.poll(() => childEntry.locator('.child-results').textContent(), POLL).toContain('No results yet.');
      await childEntry.locator('[data-take-test]').click();

      // The catalog, with the child chosen as the taker; start our assessment.
      await page.waitForURL(/\/en\/tests\?/);
      await page.locator('#tests-taker').waitFor();
      const childId = await page.locator('#tests-child').inputValue();
      expect(childId).toBeTruthy();
      expect(await page.locator('#tests-child option:checked').textContent()).toBe(childName);
      const card = page.locator(`#tests-list > li[data-test-id="${created.id}"]`);
      await card.waitFor();
      expect(await card.textContent()).toContain('5 questions · Time limit: 20 min');
      await card.locator('[data-start]').click();
      await page.waitForURL(/\/en\/attempts\/[0-9a-f-]{36}$/);
      const attemptUrl = page.url();

      // Answer three questions of five; each is saved as it changes (text after a pause).
      await page.locator('#q-q1').waitFor();
      expect(await page.locator('#record-title').textContent()).toBe(`Anxiety check ${word}`);
      await expect.poll(() => page.locator('#attempt-for').textContent(), POLL).toBe(`Taken for: ${childName}`);
      // Taken for a child: what is stored and who sees it, before the first answer.
      expect(await page.locator('#attempt-child-privacy').isVisible()).toBe(true);
      expect(await page.locator('#attempt-child-privacy').textContent()).toContain('Who sees them: only you');
      expect(await page.locator('#attempt-timer').textContent()).toMatch(/^(20:00|19:5\d)$/);
      await page.locator('#q-q1-4').check();
      await page.locator('#q-q3-a').check();
      await page.locator('#q-q5-text').fill('Worried about a test at school');
      await expect.poll(() => page.locator('#q-q5-status').textContent(), POLL).toBe('Saved');
      await expect.poll(() => page.locator('#attempt-save-state').textContent(), POLL).toBe('All answers are saved.');
      expect(await page.locator('#attempt-progress').textContent()).toBe('Answered 3 of 5');

      // Reload mid-way: the same attempt, the answers restored, the clock still running.
      await page.reload();
      await page.locator('#q-q1').waitFor();
      expect(page.url()).toBe(attemptUrl);
      await page.locator('#attempt-resumed').waitFor();
      expect(await page.locator('#q-q1-4').isChecked()).toBe(true);
      expect(await page.locator('#q-q3-a').isChecked()).toBe(true);
      expect(await page.locator('#q-q3-b').isChecked()).toBe(false);
      expect(await page.locator('#q-q5-text').inputValue()).toBe('Worried about a test at school');
      expect(await page.locator('#attempt-progress').textContent()).toBe('Answered 3 of 5');

      // Finish: the reverse-scored item and a multiple choice, then submit with confirmation.
      await page.locator('#q-q2-1').check();
      await page.locator('#q-q4-y').check();
      await expect.poll(() => page.locator('#attempt-save-state').textContent(), POLL).toBe('All answers are saved.');
      await page.locator('#attempt-submit').click();
      await page.locator('#attempt-confirm[open]').waitFor();
      expect(await page.locator('#attempt-confirm-text').textContent()).toBe(
        'You have answered 5 of 5 questions. After submitting, the answers cannot be changed.',
      );
      await page.locator('#attempt-confirm-submit').click();

      // The result: anxiety 4 + (4 − 1) + 2 + 2 = 11 → "elevated"; mood 1 + 2 = 3 → "changeable".
      await page.waitForURL(/\/en\/results\/[0-9a-f-]{36}$/);
      const resultId = new URL(page.url()).pathname.split('/').pop()!;
      const anxiety = page.locator('.result-scale[data-scale="anxiety"]');
      await anxiety.waitFor();
      expect(await anxiety.locator('[data-band-label]').textContent()).toBe('elevated');
      expect(await anxiety.textContent()).toContain('Score: 11 (possible 0–13)');
      expect(await anxiety.textContent()).toContain('Anxiety is elevated: talk to a specialist.');
      expect(await page.locator('.result-scale[data-scale="mood"] [data-band-label]').textContent()).toBe('changeable');
      await expect.poll(() => page.locator('#result-meta').textContent(), POLL).toContain(`Child: ${childName}.`);

      // The PDF report: requested, "preparing…" while the queue renders it, then a signed link.
      const asked = Date.now();
      await page.locator('#report-request').click();
      await expect
        .poll(() => page.locator('#report-status').textContent(), { timeout: 60_000, interval: 250 })
        .toBe('The report is ready.');
      const readyMs = Date.now() - asked;
      const link = page.locator('#report-download');
      expect(await link.isVisible()).toBe(true);
      expect(await link.getAttribute('href')).toMatch(/\/api\/reports\/[0-9a-f-]{36}\/download\?exp=\d+&sig=/);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(bytes.length).toBeGreaterThan(1024);
      console.log(`(3) report ready ${readyMs} ms after the request; PDF ${bytes.length} bytes`);
      await screenshot(page, '03-parent-assessment-result');

      // On a phone the result page fits the screen.
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);

      // The attempt is closed now; the parent page lists the result under the child.
      await page.goto(attemptUrl);
      await page.locator('#attempt-result-link').waitFor();
      expect(await page.locator('#attempt-result-link').getAttribute('href')).toBe(`/en/results/${resultId}`);
      await page.goto('/en/parent');
      const history = page.locator('#children-list > li', { hasText: childName }).locator('.child-results__list');
      await history.locator(`[data-result-id="${resultId}"]`).waitFor();
      expect(await history.locator('li').count()).toBe(1);
      expect(await history.textContent()).toContain('Anxiety: elevated, Mood: changeable');
    });
  });
});
