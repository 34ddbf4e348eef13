/**
 * Payments in a real browser: "buy" on a paid course page → the mock provider's hosted
 * checkout → back to the course, "confirming payment…" until the signed webhook (delivered
 * through the queue, sometimes twice and out of order) lands → enrolled. A declined card
 * comes back unenrolled with a clear message.
 */
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, confirmEmail, login, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };

async function paidCourse(word: string): Promise<string> {
  return (await paidCourseOf(word)).id;
}

async function paidCourseOf(word: string): Promise<{ id: string; token: string }> {
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
  return { id: course.body.id, token };
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

  test('a price change while a checkout is open: the buyer is asked, the earlier checkout is canceled, the new one has the new price', async ({
    expect,
  }) => {
    const word = uniqueWord();
    const course = await paidCourseOf(word);
    await withPage('payments-04-price-change', async (page) => {
      await register(page, word);
      await page.goto(`/en/courses/${course.id}`);
      await page.locator('#course-enroll', { hasText: 'Buy for' }).click();
      await page.waitForURL(/\/api\/mock-pay\/checkout\/cs_mock_/);
      expect(await page.locator('[data-testid="amount"]').textContent()).toBe('12500.00 KZT');
      // The buyer leaves the hosted page unpaid; meanwhile the teacher raises the price.
      const raised = await apiCall('PATCH', `/api/courses/${course.id}`, {
        token: course.token,
        body: { price: { amount: 1_300_000, currency: 'KZT' } },
      });
      expect(raised.status).toBe(200);
      await page.goto(`/en/courses/${course.id}`);
      const buy = page.locator('#course-enroll', { hasText: '13,000' });
      await buy.waitFor(POLL);
      let asked = '';
      page.once('dialog', (d) => {
        asked = d.message();
        void d.accept();
      });
      await buy.click();
      await page.waitForURL(/\/api\/mock-pay\/checkout\/cs_mock_/);
      expect(asked).toContain('12,500.00');
      expect(asked).toContain('13,000.00');
      expect(await page.locator('[data-testid="amount"]').textContent()).toBe('13000.00 KZT');
    });
  });

  test('an admin finds the payment on the admin payments page, refunds it, and the buyer loses access', async ({ expect }) => {
    const word = uniqueWord();
    const courseId = await paidCourse(word);
    await withPage('payments-03-admin-refund', async (buyer) => {
      await register(buyer, word);
      await payWith(buyer, courseId, '4242 4242 4242 4242');
      await expect.poll(() => buyer.locator('#course-enroll-status').textContent(), POLL).toBe('Payment received: you are enrolled.');

      await withPage('payments-03-admin-page', async (page) => {
        const admin = account('admin');
        await login(page, admin.email, admin.password, { next: '/en/admin/payments' });
        await page.waitForURL((url) => url.pathname === '/en/admin/payments');
        // Filter to succeeded payments: this buyer's row is among them, with its totals line.
        await page.locator('#admin-payments-status').selectOption('succeeded');
        await page.locator('#admin-payments-filter button[type="submit"]').click();
        const row = page.locator('#admin-payments-rows tr', { hasText: `Astronomy ${word}` });
        await row.waitFor(POLL);
        expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('succeeded');
        expect(await row.textContent()).toContain('12,500.00');
        await expect.poll(() => page.locator('#admin-payments-totals').textContent(), POLL).toMatch(/KZT|₸/);
        // Refund, through the confirm dialog; the row turns "Refunded" and loses its button.
        page.once('dialog', (d) => void d.accept());
        await row.getByRole('button', { name: 'Refund' }).click();
        await expect.poll(() => row.locator('[data-status]').getAttribute('data-status'), POLL).toBe('refunded');
        expect(await row.getByRole('button', { name: 'Refund' }).count()).toBe(0);
        // The refunded filter now lists it.
        await page.locator('#admin-payments-status').selectOption('refunded');
        await page.locator('#admin-payments-filter button[type="submit"]').click();
        await page.locator('#admin-payments-rows tr', { hasText: `Astronomy ${word}` }).waitFor(POLL);
      });

      // Access went with the refund: the course offers to buy it again.
      await buyer.goto(`/en/courses/${courseId}`);
      await buyer.locator('#course-enroll', { hasText: 'Buy for' }).waitFor(POLL);
      expect(await buyer.locator('#course-go-learn').isVisible()).toBe(false);
    });
  });
});
