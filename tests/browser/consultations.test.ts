/**
 * Consultations in a real browser: a parent finds a specialist in the directory, picks a
 * slot (shown in the browser's time zone, which the page names) for their child, pays with
 * the test card on the mock provider's hosted page, comes back to "my consultations" until
 * the webhook confirms the booking, moves it to another time, then cancels more than 24 h ahead
 * and sees the refund.
 */
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, login, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };

/** The demo teacher (verified) as a listed specialist with hours every day, 09:00–18:00 Almaty. */
async function specialist(): Promise<string> {
  const token = await apiLogin(account('teacher').email, account('teacher').password);
  const me = await apiCall('GET', '/api/me', { token });
  const profile = await apiCall('PUT', '/api/specialist/profile', {
    token,
    body: {
      bio: { en: 'Child psychologist: anxiety, school start, sleep.', ru: 'Детский психолог.' },
      languages: ['ru', 'en'],
      specialties: ['psychologist'],
      timeZone: 'Asia/Almaty',
      bufferMinutes: 10,
      sessionTypes: [{ durationMinutes: 60, price: { amount: 600_000, currency: 'KZT' } }],
    },
  });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
  const rules = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 18 * 60 }));
  const hours = await apiCall('PUT', '/api/specialist/availability', { token, body: { rules, exceptions: [] } });
  if (hours.status !== 200) throw new Error(`hours: ${hours.status} ${JSON.stringify(hours.body)}`);
  const admin = await apiLogin(account('admin').email, account('admin').password);
  const v = await apiCall('POST', `/api/admin/specialists/${me.body.user.id}/verify`, { token: admin, body: { verified: true } });
  if (v.status !== 200) throw new Error(`verify: ${v.status} ${JSON.stringify(v.body)}`);
  return me.body.user.id;
}

describe('browser journeys — consultations', () => {
  test('a parent books a paid consultation for a child, pays with the test card, sees it confirmed, moves it, cancels and is refunded', async ({
    expect,
  }) => {
    const specialistId = await specialist();
    const parent = account('parent');
    const token = await apiLogin(parent.email, parent.password);
    const childName = `Dana ${uniqueWord()}`;
    const child = await apiCall('POST', '/api/me/children', { token, body: { name: childName, birthYear: 2017 } });
    if (child.status !== 201) throw new Error(`child: ${child.status} ${JSON.stringify(child.body)}`);

    await withPage(
      'consultations-01-book-pay-cancel',
      async (page) => {
        page.on('dialog', (d) => void d.accept());
        await login(page, parent.email, parent.password, { next: '/en/consultations' });
        await page.goto('/en/consultations?x=1');
        await page.locator('#consult-specialty').selectOption('psychologist');
        await page.locator('#consult-filters button[type="submit"]').click();
        const card = page.locator(`[data-specialist="${specialistId}"]`);
        await card.waitFor();
        await card.locator('a.button').click();
        await page.waitForURL(/\/en\/consultations\/specialist\?id=/);

        // The page says in which zone the times are shown (the browser's: Asia/Almaty here).
        await expect
          .poll(() => page.locator('#consult-zone').textContent(), POLL)
          .toContain('Times are shown in your time zone: Asia/Almaty');
        // A week ahead, so the cancellation below is more than 24 h before the start.
        await page.locator('#consult-next').click();
        const slot = page.locator('button[data-starts]').first();
        await slot.waitFor();
        const startsAt = await slot.getAttribute('data-starts');
        expect(await slot.textContent()).toMatch(/^\d{2}:\d{2}/);
        await slot.click();
        expect(await slot.getAttribute('aria-pressed')).toBe('true');
        await page.locator('#consult-for').selectOption(child.body.id);
        await expect.poll(() => page.locator('#consult-book').textContent(), POLL).toMatch(/^Book and pay/);
        await page.locator('#consult-book').click();

        await page.waitForURL(/\/api\/mock-pay\/checkout\/cs_mock_/);
        await page.locator('input[name="card"]').fill('4242 4242 4242 4242');
        await page.locator('form button[type="submit"]').first().click();
        await page.waitForURL((url) => url.pathname === '/en/consultations/bookings');
        await expect.poll(() => page.locator('#consult-return').textContent(), POLL).toBe('Payment received: your booking is confirmed.');

        const item = page.locator('[data-booking]').filter({ hasText: childName });
        await expect.poll(() => item.getAttribute('data-status'), POLL).toBe('confirmed');
        expect(await item.locator('time').getAttribute('datetime')).toBe(startsAt);

        // The booking notice is in the notifications.
        await page.goto('/en/notifications');
        await expect.poll(() => page.locator('body').textContent(), POLL).toContain('There is news about your consultation booking.');

        // Move it to another time a week ahead: the same picker, the booking keeps its payment.
        await page.goto('/en/consultations/bookings');
        await page.locator('[data-booking]').filter({ hasText: childName }).getByRole('link', { name: 'Move to another time' }).click();
        await page.waitForURL(/reschedule=/);
        await page.locator('#consult-next').click();
        const later = page.locator('button[data-starts]').nth(1);
        await later.waitFor();
        const movedTo = await later.getAttribute('data-starts');
        expect(movedTo).not.toBe(startsAt);
        await later.click();
        await expect.poll(() => page.locator('#consult-book').textContent(), POLL).toBe('Move to another time');
        await page.locator('#consult-book').click();
        await page.waitForURL((url) => url.pathname === '/en/consultations/bookings');
        const again = page.locator('[data-booking]').filter({ hasText: childName });
        await expect.poll(() => again.locator('time').getAttribute('datetime'), POLL).toBe(movedTo);
        await again.locator('button[data-cancel]').click();
        await expect
          .poll(() => page.locator('[data-booking]').filter({ hasText: childName }).getAttribute('data-status'), POLL)
          .toBe('cancelled');
        await expect
          .poll(() => page.locator('[data-booking]').filter({ hasText: childName }).getAttribute('data-refund'), POLL)
          .toBe('done');
        expect(await page.locator('[data-booking]').filter({ hasText: childName }).textContent()).toContain('Refunded');

        await page.goto('/en/payments');
        await expect.poll(() => page.locator('#payments-rows [data-status]').first().getAttribute('data-status'), POLL).toBe('refunded');
      },
      { timezoneId: 'Asia/Almaty' },
    );
  });

  test('at 360 px in Kazakh: the directory and the slot picker fit the screen and are keyboard-usable', async ({ expect }) => {
    const specialistId = await specialist();
    await withPage(
      'consultations-02-kk-360',
      async (page) => {
        await page.goto('/kk/consultations');
        expect(await page.locator('h1').textContent()).toBe('Мамандардың кеңестері');
        await page.locator(`[data-specialist="${specialistId}"]`).waitFor();
        await page.goto(`/kk/consultations/specialist?id=${specialistId}`);
        await expect.poll(() => page.locator('#consult-zone').textContent(), POLL).toContain('Europe/Berlin');
        const slot = page.locator('button[data-starts]').first();
        await slot.waitFor();
        // Keyboard: focus the first slot and press Enter.
        await slot.focus();
        await page.keyboard.press('Enter');
        expect(await slot.getAttribute('aria-pressed')).toBe('true');
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      },
      { viewport: { width: 360, height: 740 }, timezoneId: 'Europe/Berlin' },
    );
  });
});
