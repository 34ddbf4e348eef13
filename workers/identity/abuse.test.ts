/// <reference types="vite/client" />
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { PASSWORD, registerUser, uniqueIp } from '../../tests/support/users.ts';
import { policies } from '../lib/ratelimit.ts';
import { FREE_FAILURES, MAX_DELAY_SEC, backoffDelaySec } from './backoff.ts';

afterEach(() => vi.useRealTimers());

const loginFrom = (email: string, password: string, ip = uniqueIp()) =>
  api('POST', '/api/auth/login', { body: { email, password }, headers: { 'cf-connecting-ip': ip } });
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('login — per-account back-off, whatever the address (security)', () => {
  it('a botnet (every guess from a new address) is slowed down exponentially; the owner still gets in after the wait', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const u = await registerUser();
    for (let i = 0; i <= FREE_FAILURES; i++) {
      const res = await loginFrom(u.email, `wrong-${i}-password`);
      expect(res.status, show(res)).toBe(401);
    }
    // Six failures from six addresses: the next try, from a seventh, waits 2 s — even with the right password.
    const blocked = await loginFrom(u.email, PASSWORD);
    expect(blocked.status, show(blocked)).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBe(2);

    later(2_100);
    expect((await loginFrom(u.email, 'wrong-again-password')).status).toBe(401);
    const doubled = await loginFrom(u.email, PASSWORD);
    expect(doubled.status, show(doubled)).toBe(429);
    expect(Number(doubled.headers.get('retry-after'))).toBe(4);

    // Not a lock: after the wait the owner logs in, and the count starts over.
    later(4_100);
    const owner = await loginFrom(u.email, PASSWORD);
    expect(owner.status, show(owner)).toBe(200);
    expect((await loginFrom(u.email, 'one-more-wrong-password')).status).toBe(401);
    expect((await loginFrom(u.email, PASSWORD)).status).toBe(200);
  });

  it('the wait doubles per failure and is capped at 15 minutes (never a permanent lock)', () => {
    expect([1, 5, 6, 7, 8, 15, 100].map(backoffDelaySec)).toEqual([0, 0, 2, 4, 8, Math.min(2 ** 10, MAX_DELAY_SEC), MAX_DELAY_SEC]);
    expect(MAX_DELAY_SEC).toBe(900);
  });
});

describe('current-password checks are throttled like login (security)', () => {
  it('wrong current passwords for POST /api/me/password and DELETE /api/me back off per account, from any address', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const u = await registerUser();
    for (let i = 0; i <= FREE_FAILURES; i++) {
      const res =
        i % 2
          ? await api('DELETE', '/api/me', {
              token: u.token,
              body: { password: `wrong-${i}-password` },
              headers: { 'cf-connecting-ip': uniqueIp() },
            })
          : await api('POST', '/api/me/password', {
              token: u.token,
              body: { currentPassword: `wrong-${i}-password`, newPassword: 'a new long passphrase' },
              headers: { 'cf-connecting-ip': uniqueIp() },
            });
      expect(res.status, show(res)).toBe(401);
    }
    const change = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: PASSWORD, newPassword: 'a new long passphrase' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(change.status, show(change)).toBe(429);
    const remove = await api('DELETE', '/api/me', {
      token: u.token,
      body: { password: PASSWORD },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(remove.status, show(remove)).toBe(429);
    expect(Number(remove.headers.get('retry-after'))).toBeGreaterThan(0);

    later(2_100);
    const ok = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: PASSWORD, newPassword: 'a new long passphrase' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(ok.status, show(ok)).toBe(200);
  });

  it(`more than ${policies['auth.password.ip'].limit} current-password checks from one address are refused, whoever the account`, async () => {
    const ip = uniqueIp();
    const users = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser(), registerUser()]);
    const statuses: number[] = [];
    for (let i = 0; i < policies['auth.password.ip'].limit + 1; i++) {
      const u = users[i % users.length]!;
      const res = await api('DELETE', '/api/me', {
        token: u.token,
        body: { password: `wrong-${i}-password` },
        headers: { 'cf-connecting-ip': ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(
      statuses.slice(0, policies['auth.password.ip'].limit).every((s) => s === 401),
      statuses.join(','),
    ).toBe(true);
  });
});

describe('refresh is limited per address (security)', () => {
  it(`the ${policies['auth.refresh.ip'].limit + 1}th refresh within a minute from one address is a 429`, { timeout: 60_000 }, async () => {
    // The sliding window weighs the previous minute's count down as the new one goes by: requests
    // that straddle a minute boundary count as fewer than they are (on a slow machine the 61 take
    // seconds). Start them in a fresh minute.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 25_000) await new Promise((r) => setTimeout(r, msLeft + 100));
    const ip = uniqueIp();
    let last = 0;
    for (let i = 0; i <= policies['auth.refresh.ip'].limit; i++) {
      const res = await api('POST', '/api/auth/refresh', {
        body: { refreshToken: `bad-${i}-${'x'.repeat(40)}` },
        headers: { 'cf-connecting-ip': ip },
      });
      last = res.status;
      if (i < policies['auth.refresh.ip'].limit) expect(res.status, show(res)).toBe(401);
    }
    expect(last).toBe(429);
  });
});

describe('the rate-limit table has no dead policies', () => {
  // Every Worker source file (tests and the table itself aside), as text.
  const sources = import.meta.glob(['../**/*.ts', '!../**/*.test.ts', '!../lib/ratelimit.ts'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }) as Record<string, string>;

  it('sees the Worker sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  it.each(Object.keys(policies))('policy %s is applied somewhere', (name) => {
    // Applied = passed to a route middleware or to hit()/peek(), not merely mentioned.
    const applied = new RegExp(`(?:rateLimit|rateLimitOnCacheRead|hit|peek)\\(\\s*(?:[\\w.]+,\\s*)?'${name.replace(/\./g, '\\.')}'`);
    const users = Object.entries(sources)
      .filter(([, text]) => applied.test(text))
      .map(([file]) => file);
    expect(users, `no Worker source uses the rate-limit policy '${name}'`).not.toEqual([]);
  });
});
