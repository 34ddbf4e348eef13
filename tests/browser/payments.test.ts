/**
 * Payments in a real browser: "buy" on a paid course page → the mock provider's hosted
 * checkout → back to the course, "confirming payment…" until the signed webhook (delivered
 * through the queue, sometimes twice and out of order) lands → enrolled. A declined card
 * comes back unenrolled with a clear message.
 */
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, confirmEmail, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };

async function paidCourse(word: string): Promise<string> {
  const token = await apiLogin(account('teacher').email, account('teacher').password);
  const course = await apiCall('POST', '/api/courses', {
    token,
    body: {
      title: { en: `Astronomy ${word}` },
      description: { en: 'Stars and planets' },
      language: 'en',
      price: { amount: 1_250_000, currency: 'KZT' },
    },
  });
  if (course.status !== 201) throw new Error(`course: ${course.status} ${JSON.stringify(course.body)}`);
  const mod = await apiCall('POST', `/api/courses/${course.body.id}/modules`, { token, body: { title: { en: 'Sky' } } });
  await apiCall('POST', `/api/modules/${mod.body.id}/lessons`, { token, body: { title: { en: 'The Moon' }, body: { en: '# The Moon' } } });
  const pub = await apiCall('POST', `/api/courses/${course.body.id}/publish`, { token });
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${JSON.stringify(pub.body)}`);
  return course.body.id;
}

async function register(page: Page, word: string): Promise<void> {
  await page.goto('/en/register');
  await page.locator('#register-name').fill(`Aru ${word}`);
  const email = uniqueEmail('buyer');
  await page.locator('#register-email').fill(email);
  await page.locator('#register-password').fill(`Sabaq-${word}-buyer`);
  await page.locator('#register-consent').check();
  await page.locator('#register-form button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/register'));
  // Paying needs a confirmed address: the link from the (dev) mailbox.
  await confirmEmail(page, email);
}

async function payWith(page: Page, courseId: string, card: string): Promise<void> {
  await page.goto(`/en/courses/${courseId}`);
  const buy = page.locator('#course-enroll');
  await buy.waitFor();
  // The button turns into "Buy for …" once the page knows the course is paid.
  await page.locator('#course-enroll', { hasText: 'Buy for' }).waitFor();
  await buy.click();
  await page.waitForURL(/\/api\/mock-pay\/checkout\/cs_mock_/);
  await page.locator('input[name="card"]').fill(card);
  await page.locator('form button[type="submit"]').first().click();
  await page.waitForURL((url) => url.pathname === `/en/courses/${courseId}`);
}

describe('browser journeys — payments', () => {
  test('a learner buys a paid course with the test card and lands enrolled', async ({ expect }) => {
    const word = uniqueWord();
    const courseId = await paidCourse(word);
    await withPage('payments-01-buy-success', async (page) => {
      await register(page, word);
      await payWith(page, courseId, '4242 4242 4242 4242');
      await expect.poll(() => page.locator('#course-enroll-status').textContent(), POLL).toBe('Payment received: you are enrolled.');
      expect(await page.locator('#course-go-learn').isVisible()).toBe(true);
      expect(await page.locator('#course-enroll').isVisible()).toBe(false);
      // The receipt is on "My payments".
      await page.goto('/en/payments');
      await expect.poll(() => page.locator('#payments-rows [data-status]').first().getAttribute('data-status'), POLL).toBe('succeeded');
    });
  });

  test('a declined card comes back unenrolled with a clear message', async ({ expect }) => {
    const word = uniqueWord();
    const courseId = await paidCourse(word);
    await withPage('payments-02-buy-declined', async (page) => {
      await register(page, word);
      await payWith(page, courseId, '4000 0000 0000 0002');
      await expect
        .poll(() => page.locator('#course-enroll-status').textContent(), POLL)
        .toBe('Your card was declined. No money was taken; you can try again with another card.');
      expect(await page.locator('#course-enroll').isVisible()).toBe(true);
      expect(await page.locator('#course-go-learn').isVisible()).toBe(false);
    });
  });
});
