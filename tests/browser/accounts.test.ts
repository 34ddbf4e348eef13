/**
 * Account recovery in a real browser, offline: "forgot password" → the dev mailbox (/dev/mail)
 * → the reset page → logging in with the new password (the old one and the old session are
 * gone); a new account confirms its address from the mailbox and the account page says so.
 */
import { describe, test } from 'vitest';
import { apiCall, login, openMailLink, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };
const PHONE = { viewport: { width: 360, height: 740 } };

describe('browser journeys — account recovery', () => {
  test('a user who forgot the password resets it through the dev mailbox (ru, 360 px)', async ({ expect }) => {
    const word = uniqueWord();
    const email = uniqueEmail('forgetful');
    const oldPassword = `Sabaq-${word}-old-pass`;
    const newPassword = `Sabaq-${word}-new-pass`;
    const registered = await apiCall('POST', '/api/auth/register', {
      body: { email, password: oldPassword, name: `Dana ${word}`, language: 'ru', role: 'learner' },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);

    await withPage(
      'accounts-01-password-reset',
      async (page) => {
        await page.goto('/ru/login');
        await page.locator('#login-forgot-link').click();
        await page.waitForURL(/\/ru\/forgot\/?$/);
        await page.locator('#forgot-email').fill(email);
        await page.locator('#forgot-form button[type="submit"]').click();
        await expect
          .poll(() => page.locator('#forgot-form [data-form-status]').textContent(), POLL)
          .toContain('Если аккаунт с этим адресом существует');

        // The mailbox shows the Russian letter; its link opens the reset page.
        await openMailLink(page, email, 'reset');
        expect(await page.locator('h1').textContent()).toBe('Новый пароль');
        // Too short first: refused next to the field.
        await page.locator('#reset-password').fill('short');
        await page.locator('#reset-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#reset-password-error').isVisible(), POLL).toBe(true);
        await page.locator('#reset-password').fill(newPassword);
        await page.locator('#reset-form button[type="submit"]').click();
        await page.locator('#reset-done').waitFor();
        expect(await page.locator('#reset-done [role="status"]').textContent()).toContain('Пароль изменён');
        // Nothing overflows the phone screen.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);

        // The same link a second time is refused.
        await page.reload();
        await page.locator('#reset-password').fill(`${newPassword}-again`);
        await page.locator('#reset-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#reset-form [data-form-error]').textContent(), POLL).toContain('Ссылка недействительна');

        await page.context().clearCookies();
        await login(page, email, newPassword, { lang: 'ru' });
        expect(new URL(page.url()).pathname).not.toContain('/login');
      },
      PHONE,
    );
    const old = await apiCall('POST', '/api/auth/login', { body: { email, password: oldPassword } });
    expect(old.status).toBe(401);
  });

  test('a new account confirms its address from the mailbox; the account page shows it (kk)', async ({ expect }) => {
    const word = uniqueWord();
    const email = uniqueEmail('confirm');
    const password = `Sabaq-${word}-learner`;
    await withPage('accounts-02-verify-email', async (page) => {
      await page.goto('/kk/register');
      await page.locator('#register-name').fill(`Aru ${word}`);
      await page.locator('#register-email').fill(email);
      await page.locator('#register-password').fill(password);
      await page.locator('#register-consent').check();
      await page.locator('#register-form button[type="submit"]').click();
      await page.waitForURL((url) => !url.pathname.endsWith('/register'));

      await page.goto('/kk/account');
      await page.locator('#account-verify').waitFor();
      expect(await page.locator('#account-email-status').textContent()).toContain('Әлі расталмаған');

      await openMailLink(page, email, 'verify');
      await page.locator('#verify-status[data-result="ok"]').waitFor();
      expect(await page.locator('#verify-status').textContent()).toBe('Рақмет, мекенжай расталды. Енді жариялауға және төлеуге болады.');

      await page.goto('/kk/account');
      await expect.poll(() => page.locator('#account-email-status').textContent(), POLL).toBe('Расталған');
      expect(await page.locator('#account-verify').isVisible()).toBe(false);
    });
  });
});
