import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { authTokens, users } from '../../db/schema/index.ts';
import { createApp } from '../app.ts';
import { devMailRoutes } from '../email/routes.ts';
import { renderEmail } from '../email/templates.ts';
import { resendProvider } from '../email/resend.ts';
import { loadConfig, type Env } from '../env.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { PASSWORD, registerUser, testDb, uniqueEmail, uniqueIp, vars } from '../../tests/support/users.ts';
import { policies } from '../lib/ratelimit.ts';
import { RESET_TTL_MIN } from './recovery.ts';

const NEW_PASSWORD = 'a brand new passphrase 42';

interface Mail {
  to: string;
  subject: string;
  text: string;
  kind: string;
}

/** Mail is sent after the response (ctx.defer): wait for it to land in the dev mailbox. */
async function mailFor(email: string, kind: string, count = 1): Promise<Mail[]> {
  for (let i = 0; i < 100; i++) {
    const res = await api('GET', `/api/dev/mail?to=${encodeURIComponent(email)}`);
    expect(res.status, show(res)).toBe(200);
    const items = (res.body.items as Mail[]).filter((m) => m.kind === kind);
    if (items.length >= count) return items;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${kind} mail for ${email}`);
}

const tokenIn = (mail: Mail, page: 'reset' | 'verify') => {
  const m = new RegExp(`/(ru|kk|en)/${page}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!m) throw new Error(`no ${page} link in: ${mail.text}`);
  return decodeURIComponent(m[2]!);
};

const forgot = (email: string, ip = uniqueIp(), language?: string) =>
  api('POST', '/api/auth/password/forgot', { body: { email, language }, headers: { 'cf-connecting-ip': ip } });
const reset = (token: string, newPassword = NEW_PASSWORD) =>
  api('POST', '/api/auth/password/reset', { body: { token, newPassword }, headers: { 'cf-connecting-ip': uniqueIp() } });
const loginAs = (email: string, password: string) =>
  api('POST', '/api/auth/login', { body: { email, password }, headers: { 'cf-connecting-ip': uniqueIp() } });

async function resetToken(email: string, language = 'en'): Promise<string> {
  const res = await forgot(email, uniqueIp(), language);
  expect(res.status, show(res)).toBe(202);
  const [mail] = await mailFor(email, 'password_reset');
  return tokenIn(mail!, 'reset');
}

describe('forgot password (happy)', () => {
  it('emails a link in the asked language; the token works once, changes the password and revokes every session', async () => {
    const u = await registerUser();
    const token = await resetToken(u.email, 'kk');
    const [mail] = await mailFor(u.email, 'password_reset');
    expect(mail!.subject).toBe('Sabaq құпиясөзін қалпына келтіру');
    expect(mail!.text).toContain('/kk/reset?token=');

    const done = await reset(token);
    expect(done.status, show(done)).toBe(204);

    // Old password out, new one in.
    expect((await loginAs(u.email, PASSWORD)).status).toBe(401);
    expect((await loginAs(u.email, NEW_PASSWORD)).status).toBe(200);
    // The session that existed before the reset is dead: its refresh token and its live access token.
    const refreshed = await api('POST', '/api/auth/refresh', {
      body: { refreshToken: u.refreshToken },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(refreshed.status, show(refreshed)).toBe(401);
    const me = await api('GET', '/api/me', { token: u.token });
    expect(me.status, show(me)).toBe(401);

    // Single use.
    const again = await reset(token, 'yet another passphrase 7');
    expect(again.status, show(again)).toBe(400);
    expect(again.body.error.code).toBe('invalid_token');
    expect((await loginAs(u.email, NEW_PASSWORD)).status).toBe(200);

    // Stored hashed, never in clear.
    const { db } = testDb();
    const rows = await db.select().from(authTokens).where(eq(authTokens.userId, u.id));
    expect(rows.some((r) => r.tokenHash.includes(token))).toBe(false);
    const resetRow = rows.find((r) => r.purpose === 'password_reset')!;
    const minutes = (resetRow.expiresAt.getTime() - resetRow.createdAt.getTime()) / 60_000;
    expect(Math.round(minutes)).toBe(RESET_TTL_MIN);
  });

  it('a new link replaces the previous one', async () => {
    const u = await registerUser();
    const first = await resetToken(u.email);
    await forgot(u.email);
    const mails = await mailFor(u.email, 'password_reset', 2);
    const second = tokenIn(mails[0]!, 'reset');
    expect(second).not.toBe(first);
    expect((await reset(first)).body.error.code).toBe('invalid_token');
    expect((await reset(second)).status).toBe(204);
  });
});

describe('forgot password (security)', () => {
  it('answers the same for an unknown email, and sends nothing', async () => {
    const known = await registerUser();
    const unknown = uniqueEmail('nobody');
    const a = await forgot(known.email);
    const b = await forgot(unknown);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.text).toBe(b.text);
    await mailFor(known.email, 'password_reset');
    const none = await api('GET', `/api/dev/mail?to=${encodeURIComponent(unknown)}`);
    expect(none.body.items).toEqual([]);
  });

  it('an expired link is refused and the password stays', async () => {
    const u = await registerUser();
    const token = await resetToken(u.email);
    const { db } = testDb();
    await db
      .update(authTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(authTokens.userId, u.id), eq(authTokens.purpose, 'password_reset')));
    const res = await reset(token);
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('invalid_token');
    expect((await loginAs(u.email, PASSWORD)).status).toBe(200);
  });

  it('a made-up token, and a weak new password, are refused without consuming anything', async () => {
    const u = await registerUser();
    expect((await reset('not-a-real-token')).body.error.code).toBe('invalid_token');
    const token = await resetToken(u.email);
    const weak = await reset(token, 'short');
    expect(weak.status, show(weak)).toBe(400);
    expect(weak.body.error.details.fields.newPassword).toBeTruthy();
    expect((await reset(token)).status).toBe(204);
  });

  it(`more than ${policies['auth.reset.email'].limit} requests for one email are refused, known or not, from any address`, async () => {
    for (const email of [(await registerUser()).email, uniqueEmail('ghost')]) {
      const statuses: number[] = [];
      for (let i = 0; i <= policies['auth.reset.email'].limit; i++) statuses.push((await forgot(email)).status);
      expect(statuses.at(-1), statuses.join(',')).toBe(429);
      expect(statuses.slice(0, -1).every((s) => s === 202)).toBe(true);
    }
  });

  it(`more than ${policies['auth.reset.ip'].limit} requests from one address are refused`, async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i <= policies['auth.reset.ip'].limit; i++) statuses.push((await forgot(uniqueEmail('spray'), ip)).status);
    expect(statuses.at(-1), statuses.join(',')).toBe(429);
  });
});

describe('email verification', () => {
  it('registration sends a link; an unverified teacher can author but not publish; the link unlocks publishing', async () => {
    const t = await registerUser('teacher', { language: 'en' }, { verified: false });
    const { db } = testDb();
    await db.update(users).set({ teacherStatus: 'verified' }).where(eq(users.id, t.id));
    const me = await api('GET', '/api/me', { token: t.token });
    expect(me.body.user.emailVerified).toBe(false);

    const course = await createCourse(t, { publish: false });
    const refused = await api('POST', `/api/courses/${course.id}/publish`, { token: t.token });
    expect(refused.status, show(refused)).toBe(403);
    expect(refused.body.error.code).toBe('email_unverified');

    const [mail] = await mailFor(t.email, 'email_verify');
    expect(mail!.subject).toBe('Confirm your email address for Sabaq');
    const token = tokenIn(mail!, 'verify');
    const ok = await api('POST', '/api/auth/email/verify', { body: { token }, headers: { 'cf-connecting-ip': uniqueIp() } });
    expect(ok.status, show(ok)).toBe(204);
    expect((await api('GET', '/api/me', { token: t.token })).body.user.emailVerified).toBe(true);
    const published = await api('POST', `/api/courses/${course.id}/publish`, { token: t.token });
    expect(published.status, show(published)).toBe(200);
    // Single use.
    const again = await api('POST', '/api/auth/email/verify', { body: { token }, headers: { 'cf-connecting-ip': uniqueIp() } });
    expect(again.body.error.code).toBe('invalid_token');
  });

  it('an unverified learner can enroll in a free course but cannot pay', async () => {
    const teacher = await registerUser('teacher');
    await testDb().db.update(users).set({ teacherStatus: 'verified' }).where(eq(users.id, teacher.id));
    const free = await createCourse(teacher, { lessonsPerModule: 1 });
    const paid = await createCourse(teacher, { lessonsPerModule: 1, price: { amount: 450000, currency: 'KZT' } });
    const learner = await registerUser('learner', {}, { verified: false });
    const enrolled = await api('POST', `/api/courses/${free.id}/enrollment`, { token: learner.token });
    expect([200, 201], show(enrolled)).toContain(enrolled.status);
    const pay = await api('POST', '/api/checkout', {
      token: learner.token,
      body: { purchase: { kind: 'course', id: paid.id } },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    expect(pay.status, show(pay)).toBe(403);
    expect(pay.body.error.code).toBe('email_unverified');
  });

  it('the link can be sent again (limited), and not at all for a confirmed address', async () => {
    const u = await registerUser('learner', {}, { verified: false });
    await mailFor(u.email, 'email_verify');
    const statuses: number[] = [];
    for (let i = 0; i <= policies['auth.verify.resend'].limit; i++) {
      const res: ApiResponse = await api('POST', '/api/me/email/verify', { token: u.token, body: {} });
      statuses.push(res.status);
    }
    expect(statuses.at(-1), statuses.join(',')).toBe(429);
    const mails = await mailFor(u.email, 'email_verify', 2);
    // Only the newest link works.
    const verified = await api('POST', '/api/auth/email/verify', {
      body: { token: tokenIn(mails[0]!, 'verify') },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(verified.status, show(verified)).toBe(204);
    const v = await registerUser();
    const none = await api('POST', '/api/me/email/verify', { token: v.token, body: {} });
    expect(none.body).toEqual({ sent: false });
  });

  it('a password reset also confirms the address (the link proved the mailbox)', async () => {
    const u = await registerUser('learner', {}, { verified: false });
    expect((await reset(await resetToken(u.email))).status).toBe(204);
    const [row] = await testDb().db.select().from(users).where(eq(users.id, u.id));
    expect(row!.emailVerifiedAt).not.toBeNull();
  });
});

describe('email provider', () => {
  it('templates exist in ru, kk and en and escape what they insert', () => {
    for (const lang of ['ru', 'kk', 'en'] as const) {
      for (const kind of ['password_reset', 'email_verify'] as const) {
        const m = renderEmail(kind, lang, { name: '<b>Ann</b>', link: 'https://sabaq.kz/en/reset?token=a&b' });
        expect(m.html).not.toContain('<b>Ann</b>');
        expect(m.html).toContain('href="https://sabaq.kz/en/reset?token=a&amp;b"');
        expect(m.text).toContain('https://sabaq.kz/en/reset?token=a&b');
      }
    }
    expect(renderEmail('password_reset', 'ru', { name: 'A', link: 'x' }).subject).not.toBe(
      renderEmail('password_reset', 'en', { name: 'A', link: 'x' }).subject,
    );
  });

  it('the Resend adapter sends one authorised POST with an idempotency key, and reports a refusal', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fake = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('{"id":"x"}', { status: calls.length === 1 ? 200 : 422 });
    }) as unknown as typeof fetch;
    const provider = resendProvider({ EMAIL_API_KEY: 're_test', EMAIL_FROM: 'Sabaq <no-reply@sabaq.kz>' }, fake);
    const msg = { to: 'a@b.kz', subject: 'S', text: 'T', html: '<p>T</p>', kind: 'password_reset', idempotencyKey: 'k1' };
    await provider.send(msg);
    expect(calls[0]!.url).toBe('https://api.resend.com/emails');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer re_test');
    expect(headers['idempotency-key']).toBe('k1');
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ from: 'Sabaq <no-reply@sabaq.kz>', to: ['a@b.kz'], subject: 'S' });
    await expect(provider.send(msg)).rejects.toThrow(/422/);
    await expect(resendProvider({ EMAIL_API_KEY: undefined, EMAIL_FROM: undefined }, fake).send(msg)).rejects.toThrow(/not configured/);
  });

  it('production refuses the dev mailbox, picks the real provider by default, and /dev/mail does not exist there', async () => {
    const base = vars as unknown as Env;
    expect(() => loadConfig({ ...base, APP_ENV: 'production', PAYMENTS_PROVIDER: 'stripe', EMAIL_PROVIDER: 'dev' })).toThrow(/dev mailbox/);
    expect(loadConfig({ ...base, APP_ENV: 'production', PAYMENTS_PROVIDER: 'stripe' }).EMAIL_PROVIDER).toBe('resend');
    const app = createApp({ routers: [devMailRoutes] });
    const prod = { ...base, APP_ENV: 'production', PAYMENTS_PROVIDER: 'stripe' };
    const res = await app.request('/api/dev/mail', {}, prod);
    expect(res.status).toBe(404);
    // And locally the page lists the messages (escaped).
    const page = await api('GET', '/dev/mail');
    expect(page.status, show(page)).toBe(200);
    expect(page.text).toContain('Dev mailbox');
  });
});
