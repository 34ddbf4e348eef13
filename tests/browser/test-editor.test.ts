/**
 * The studio's test editor in a real browser: a teacher starts a new quiz from the template,
 * saves it unfinished and sees the API's field errors next to the fields, fills the texts,
 * checks the same document in the JSON view, saves (the address gets the test's id) and
 * publishes it.
 */
import { describe, test } from 'vitest';
import { account, login, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 250 };

describe('test editor', () => {
  test('a teacher builds a quiz in the form, sees field errors, checks the JSON and publishes', ({ expect }) =>
    withPage('test-editor-quiz', async (page) => {
      const teacher = account('teacher');
      const word = uniqueWord();
      await login(page, teacher.email, teacher.password, { next: '/en/studio?test=new&kind=quiz' });
      const title = page.locator('#td-title');
      await title.waitFor();

      // Saved unfinished: the API names the empty texts; the page shows them in a summary and at the field.
      await page.locator('#test-save').click();
      const summary = page.locator('#test-errors');
      await expect.poll(() => summary.isVisible(), POLL).toBe(true);
      expect(await summary.textContent()).not.toBe('');
      await expect.poll(() => title.getAttribute('aria-invalid'), POLL).toBe('true');

      await title.fill(`Fractions ${word}`);
      await page.locator('#td-questions--0--text').fill('Which is the larger fraction?');
      await page.locator('#td-questions--0--options--0--text').fill('3/4');
      await page.locator('#td-questions--0--options--1--text').fill('2/3');

      // The JSON view shows the same document, typed texts included.
      await page.locator('input[name="test-view"][value="json"]').check();
      const json = page.locator('#test-json-text');
      await json.waitFor();
      const doc = JSON.parse(await json.inputValue()) as { kind: string; title: { en?: string }; questions: { options: unknown[] }[] };
      expect(doc.kind).toBe('quiz');
      expect(doc.title.en).toBe(`Fractions ${word}`);
      expect(doc.questions[0]!.options).toHaveLength(2);
      await page.locator('input[name="test-view"][value="form"]').check();
      await title.waitFor();

      await page.locator('#test-save').click();
      await page.waitForURL(/[?&]test=[0-9a-f-]{36}/, { timeout: 15_000 });
      await expect.poll(() => page.locator('#test-status').textContent(), POLL).toMatch(/\S/);
      expect(await summary.isVisible()).toBe(false);

      await page.locator('#test-publish').click();
      await expect.poll(() => page.locator('#test-state').getAttribute('data-published'), POLL).not.toBeNull();
      expect(await page.locator('#test-title').textContent()).toBe(`Fractions ${word}`);
    }));
});
