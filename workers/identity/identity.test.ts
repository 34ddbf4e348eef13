import { sign } from 'hono/jwt';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { children, refreshTokens, users } from '../../db/schema/index.ts';
import { api, show } from '../../tests/support/http.ts';
import { PASSWORD, createAdmin, login, registerUser, testDb, uniqueEmail, uniqueIp, vars } from '../../tests/support/users.ts';
import { PBKDF2_ITERATIONS, hashPassword, verifyPassword } from './password.ts';
import { signAccessToken, verifyAccessToken } from './tokens.ts';

describe('register — happy', () => {
  it('creates a learner, logs in and answers /me', async () => {
    const email = uniqueEmail();
    const res = await api('POST', '/api/auth/register', {
      body: { email: email.toUpperCase(), password: PASSWORD, name: ' Айгерім ', language: 'kk', role: 'learner' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(res.status, show(res)).toBe(201);
    expect(res.body.user).toMatchObject({ email, name: 'Айгерім', language: 'kk', role: 'learner', teacherStatus: 'none' });
    expect(res.body.expiresIn).toBe(900);
    expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(43);
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('__Host-sabaq_at='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('__Host-sabaq_at='))).toMatch(/Secure/i);
    expect(cookies.find((c) => c.startsWith('__Host-sabaq_at='))).toMatch(/SameSite=Lax/i);
    expect(cookies.some((c) => c.startsWith('sabaq_csrf='))).toBe(true);

    const me = await api('GET', '/api/me', { token: res.body.accessToken });
    expect(me.status, show(me)).toBe(200);
    expect(me.body.user.id).toBe(res.body.user.id);
  });

  it('a teacher starts pending', async () => {
    const t = await registerUser('teacher');
    const me = await api('GET', '/api/me', { token: t.token });
    expect(me.body.user.teacherStatus).toBe('pending');
  });

  it('stores PBKDF2-SHA256 at exactly 100,000 iterations with a pepper', async () => {
    const t = await registerUser();
    const [row] = await testDb().db.select().from(users).where(eq(users.id, t.id));
    expect(row!.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect((await verifyPassword(PASSWORD, row!.passwordHash, vars.PASSWORD_PEPPER!)).ok).toBe(true);
    // Without the pepper the same password does not verify.
    expect((await verifyPassword(PASSWORD, row!.passwordHash, 'another-pepper-value')).ok).toBe(false);
  });
});

describe('register — bad input', () => {
  const base = () => ({ email: uniqueEmail(), password: PASSWORD, name: 'Name', language: 'ru', role: 'learner' });
  it.each([
    ['malformed email', { email: 'not-an-email' }, 'email'],
    ['short password', { password: 'short1' }, 'password'],
    ['long password', { password: 'x'.repeat(129) }, 'password'],
    ['common password', { password: 'password1' }, 'password'],
    ['unknown role', { role: 'wizard' }, 'role'],
    ['admin role', { role: 'admin' }, 'role'],
    ['unknown language', { language: 'de' }, 'language'],
    ['empty name', { name: '  ' }, 'name'],
  ])('%s → 400 naming the field', async (_label, patch, field) => {
    const body = { ...base(), ...patch };
    const res = await api('POST', '/api/auth/register', { body, headers: { 'cf-connecting-ip': uniqueIp() } });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields).toHaveProperty(field);
    const [row] = await testDb().db.select().from(users).where(eq(users.email, body.email.toLowerCase()));
    expect(row).toBeUndefined();
  });

  it('duplicate email → 409 already_exists, nothing written twice', async () => {
    const u = await registerUser();
    const res = await api('POST', '/api/auth/register', {
      body: { email: u.email, password: PASSWORD, name: 'Other', language: 'ru', role: 'parent' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(res.status, show(res)).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
    const rows = await testDb().db.select().from(users).where(eq(users.email, u.email));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.role).toBe('learner');
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const res = await api('POST', '/api/auth/register', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

describe('login', () => {
  it('wrong password and unknown email get the same answer', async () => {
    const u = await registerUser();
    const ip = uniqueIp();
    const wrong = await api('POST', '/api/auth/login', {
      body: { email: u.email, password: 'wrong password!' },
      headers: { 'cf-connecting-ip': ip },
    });
    const unknown = await api('POST', '/api/auth/login', {
      body: { email: uniqueEmail('nobody'), password: 'wrong password!' },
      headers: { 'cf-connecting-ip': ip },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error.code).toBe(wrong.body.error.code);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('updates lastActiveAt on authenticated use, at most once a minute', async () => {
    const u = await registerUser();
    await api('GET', '/api/me', { token: u.token });
    await vi.waitFor(async () => {
      const [row] = await testDb().db.select().from(users).where(eq(users.id, u.id));
      expect(row!.lastActiveAt).not.toBeNull();
    });
  });
});

describe('login limiter — security', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('blocks the 6th failure per account+IP with 429 and Retry-After, and recovers after the window', async () => {
    const u = await registerUser();
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) {
      const res = await api('POST', '/api/auth/login', {
        body: { email: u.email, password: `wrong-${i}-password` },
        headers: { 'cf-connecting-ip': ip },
      });
      expect(res.status, show(res)).toBe(401);
    }
    const blocked = await api('POST', '/api/auth/login', {
      body: { email: u.email, password: PASSWORD },
      headers: { 'cf-connecting-ip': ip },
    });
    expect(blocked.status, show(blocked)).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('ratelimit-remaining')).toBe('0');

    // The same account from another address is not locked out.
    const elsewhere = await api('POST', '/api/auth/login', {
      body: { email: u.email, password: PASSWORD },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(elsewhere.status, show(elsewhere)).toBe(200);

    // Two sliding windows later (the limiter reads the clock) the account+IP may try again.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31 * 60 * 1000 });
    const later = await api('POST', '/api/auth/login', {
      body: { email: u.email, password: PASSWORD },
      headers: { 'cf-connecting-ip': ip },
    });
    expect(later.status, show(later)).toBe(200);
  });
});

describe('tokens — security', () => {
  it.each([
    ['garbage', async () => 'not.a.jwt'],
    [
      'alg none',
      async () =>
        `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(JSON.stringify({ sub: 'x', role: 'admin', sid: 'y', iss: 'sabaq', aud: 'sabaq-api', iat: 1, exp: 9999999999 }))}.`,
    ],
    [
      'foreign key',
      async () =>
        sign(
          {
            sub: 'x',
            role: 'admin',
            sid: 'y',
            iss: 'sabaq',
            aud: 'sabaq-api',
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 60,
          },
          'a-completely-different-secret-of-32+chars',
          'HS256',
        ),
    ],
    [
      'wrong audience',
      async () =>
        sign(
          {
            sub: 'x',
            role: 'admin',
            sid: 'y',
            iss: 'sabaq',
            aud: 'other',
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 60,
          },
          vars.JWT_SECRET!,
          'HS256',
        ),
    ],
    [
      'HS512 with the right secret',
      async () =>
        sign(
          {
            sub: 'x',
            role: 'admin',
            sid: 'y',
            iss: 'sabaq',
            aud: 'sabaq-api',
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 60,
          },
          vars.JWT_SECRET!,
          'HS512',
        ),
    ],
  ])('%s token → 401', async (_label, make) => {
    const res = await api('GET', '/api/me', { token: await make() });
    expect(res.status, show(res)).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('tampered token → 401', async () => {
    const u = await registerUser();
    const [h, p, s] = u.token.split('.');
    const payload = JSON.parse(atob(p!.replace(/-/g, '+').replace(/_/g, '/')));
    payload.role = 'admin';
    const forged = `${h}.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${s}`;
    const res = await api('GET', '/api/admin/teachers', { token: forged });
    expect(res.status, show(res)).toBe(401);
  });

  it('expired access token → 401 token_expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(
      {
        sub: crypto.randomUUID(),
        role: 'learner',
        sid: crypto.randomUUID(),
        iss: 'sabaq',
        aud: 'sabaq-api',
        iat: now - 2000,
        nbf: now - 2000,
        exp: now - 1000,
      },
      vars.JWT_SECRET!,
      'HS256',
    );
    const res = await api('GET', '/api/me', { token });
    expect(res.status, show(res)).toBe(401);
    expect(res.body.error.code).toBe('token_expired');
  });
});

describe('verified tokens remembered per isolate', () => {
  it('a remembered token still expires on time, and only the secret that signed it accepts it', async () => {
    const now = Date.now();
    const token = await signAccessToken({ sub: crypto.randomUUID(), role: 'learner', sid: crypto.randomUUID() }, 'secret-a', now);
    const claims = await verifyAccessToken(token, 'secret-a', now);
    // Served from memory the second time: the same claims.
    expect(await verifyAccessToken(token, 'secret-a', now + 1000)).toEqual(claims);
    await expect(verifyAccessToken(token, 'secret-b', now + 1000)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(verifyAccessToken(token, 'secret-a', claims.exp * 1000)).rejects.toMatchObject({ code: 'token_expired' });
  });
});

describe('sessions', () => {
  it('refresh rotates the token; reusing a rotated token revokes the whole family', async () => {
    const u = await registerUser();
    const first = await api('POST', '/api/auth/refresh', { body: { refreshToken: u.refreshToken } });
    expect(first.status, show(first)).toBe(200);
    expect(first.body.refreshToken).not.toBe(u.refreshToken);

    const replay = await api('POST', '/api/auth/refresh', { body: { refreshToken: u.refreshToken } });
    expect(replay.status, show(replay)).toBe(401);

    // The legitimate, newer token of the same family is dead too, and so is its access token.
    const next = await api('POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(next.status, show(next)).toBe(401);
    const me = await api('GET', '/api/me', { token: first.body.accessToken });
    expect(me.status, show(me)).toBe(401);
  });

  it('expired refresh token → 401 token_expired', async () => {
    const u = await registerUser();
    await testDb()
      .db.update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.userId, u.id));
    const res = await api('POST', '/api/auth/refresh', { body: { refreshToken: u.refreshToken } });
    expect(res.status, show(res)).toBe(401);
    expect(res.body.error.code).toBe('token_expired');
  });

  it('logout revokes the refresh token and the live access token', async () => {
    const u = await registerUser();
    const out = await api('POST', '/api/auth/logout', { token: u.token });
    expect(out.status, show(out)).toBe(204);
    expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: u.refreshToken } })).status).toBe(401);
    expect((await api('GET', '/api/me', { token: u.token })).status).toBe(401);
  });

  it('password change revokes every session and answers with a fresh one', async () => {
    const u = await registerUser();
    const other = await login(u.email, PASSWORD);
    const newPassword = 'a brand new passphrase';
    const res = await api('POST', '/api/me/password', { token: u.token, body: { currentPassword: PASSWORD, newPassword } });
    expect(res.status, show(res)).toBe(200);

    expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(401);
    expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: u.refreshToken } })).status).toBe(401);
    expect((await api('GET', '/api/me', { token: other.token })).status).toBe(401);
    expect((await api('GET', '/api/me', { token: res.body.accessToken })).status).toBe(200);
    await expect(login(u.email, PASSWORD)).rejects.toThrow(/401/);
    await expect(login(u.email, newPassword)).resolves.toMatchObject({ id: u.id });
  });

  it('password change with a wrong current password or a common new one changes nothing', async () => {
    const u = await registerUser();
    const wrong = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: 'nope nope nope', newPassword: 'another passphrase' },
    });
    expect(wrong.status, show(wrong)).toBe(401);
    const common = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: PASSWORD, newPassword: 'qwertyuiop' },
    });
    expect(common.status, show(common)).toBe(400);
    expect(common.body.error.details.fields).toHaveProperty('newPassword');
    await expect(login(u.email, PASSWORD)).resolves.toMatchObject({ id: u.id });
  });

  it('cookie sessions need the CSRF header on writes', async () => {
    const email = uniqueEmail();
    const reg = await api('POST', '/api/auth/register', {
      body: { email, password: PASSWORD, name: 'Cookie user', language: 'en', role: 'learner' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    const jar = reg.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /sabaq_csrf=([^;]+)/.exec(jar)![1]!;
    const read = await api('GET', '/api/me', { headers: { cookie: jar } });
    expect(read.status, show(read)).toBe(200);
    const noHeader = await api('PATCH', '/api/me', { headers: { cookie: jar }, body: { name: 'Changed' } });
    expect(noHeader.status, show(noHeader)).toBe(403);
    expect(noHeader.body.error.code).toBe('csrf_failed');
    const withHeader = await api('PATCH', '/api/me', {
      headers: { cookie: jar, 'x-csrf-token': decodeURIComponent(csrf) },
      body: { name: 'Changed' },
    });
    expect(withHeader.status, show(withHeader)).toBe(200);
    expect(withHeader.body.user.name).toBe('Changed');
  });
});

describe('child profiles', () => {
  it('a parent creates, lists, updates and deletes children', async () => {
    const p = await registerUser('parent');
    const created = await api('POST', '/api/me/children', { token: p.token, body: { name: 'Әлия', birthYear: 2016, language: 'kk' } });
    expect(created.status, show(created)).toBe(201);
    await api('POST', '/api/me/children', { token: p.token, body: { name: 'Timur', birthYear: 2018 } });
    await api('POST', '/api/me/children', { token: p.token, body: { name: 'Dana', birthYear: 2019 } });

    const page1 = await api('GET', '/api/me/children?limit=2', { token: p.token });
    expect(page1.status, show(page1)).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await api('GET', `/api/me/children?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { token: p.token });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const names = [...page1.body.items, ...page2.body.items].map((c: { name: string }) => c.name).sort();
    expect(names).toEqual(['Dana', 'Timur', 'Әлия']);

    const id = created.body.id;
    const patched = await api('PATCH', `/api/me/children/${id}`, { token: p.token, body: { birthYear: 2017 } });
    expect(patched.status, show(patched)).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Әлия', birthYear: 2017, language: 'kk' });
    expect((await api('DELETE', `/api/me/children/${id}`, { token: p.token })).status).toBe(204);
    expect((await api('GET', `/api/me/children/${id}`, { token: p.token })).status).toBe(404);
  });

  it('another parent cannot read, change or delete a child (404, not 403)', async () => {
    const a = await registerUser('parent');
    const b = await registerUser('parent');
    const child = await api('POST', '/api/me/children', { token: a.token, body: { name: 'Mine', birthYear: 2015 } });
    const id = child.body.id;
    for (const [method, body] of [['GET'], ['PATCH', { name: 'Stolen' }], ['DELETE']] as const) {
      const res = await api(method, `/api/me/children/${id}`, { token: b.token, body });
      expect(res.status, `${method}: ${show(res)}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const list = await api('GET', '/api/me/children', { token: b.token });
    expect(list.body.items).toHaveLength(0);
    const still = await api('GET', `/api/me/children/${id}`, { token: a.token });
    expect(still.body.name).toBe('Mine');
  });

  it.each([
    ['birth year in the future', { name: 'X', birthYear: 3000 }, 'birthYear'],
    ['missing name', { birthYear: 2015 }, 'name'],
    ['bad language', { name: 'X', birthYear: 2015, language: 'fr' }, 'language'],
  ])('%s → 400', async (_l, body, field) => {
    const p = await registerUser('parent');
    const res = await api('POST', '/api/me/children', { token: p.token, body });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty(field);
  });

  it('a learner cannot create child profiles', async () => {
    const l = await registerUser('learner');
    const res = await api('POST', '/api/me/children', { token: l.token, body: { name: 'X', birthYear: 2015 } });
    expect(res.status, show(res)).toBe(403);
  });

  it('a tampered cursor → 400 invalid_cursor', async () => {
    const p = await registerUser('parent');
    const res = await api('GET', '/api/me/children?cursor=eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA', { token: p.token });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('invalid_cursor');
  });

  it('deleting the account deletes its children', async () => {
    const p = await registerUser('parent');
    const child = await api('POST', '/api/me/children', { token: p.token, body: { name: 'Gone', birthYear: 2015 } });
    const wrong = await api('DELETE', '/api/me', { token: p.token, body: { password: 'not my password' } });
    expect(wrong.status).toBe(401);
    const res = await api('DELETE', '/api/me', { token: p.token, body: { password: PASSWORD } });
    expect(res.status, show(res)).toBe(204);
    const rows = await testDb().db.select().from(children).where(eq(children.id, child.body.id));
    expect(rows).toHaveLength(0);
    await expect(login(p.email, PASSWORD)).rejects.toThrow(/401/);
  });
});

describe('teacher verification', () => {
  it('an admin lists pending teachers and verifies or rejects them', async () => {
    const admin = await createAdmin();
    const t1 = await registerUser('teacher');
    const t2 = await registerUser('teacher');
    const pending = await api('GET', '/api/admin/teachers?status=pending&limit=100', { token: admin.token });
    expect(pending.status, show(pending)).toBe(200);
    const ids = pending.body.items.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([t1.id, t2.id]));

    const ok = await api('POST', `/api/admin/teachers/${t1.id}/verify`, { token: admin.token });
    expect(ok.status, show(ok)).toBe(200);
    expect(ok.body.user.teacherStatus).toBe('verified');
    const no = await api('POST', `/api/admin/teachers/${t2.id}/reject`, { token: admin.token, body: { reason: 'No credentials' } });
    expect(no.status, show(no)).toBe(200);
    expect(no.body.user.teacherStatus).toBe('rejected');
    const missingReason = await api('POST', `/api/admin/teachers/${t2.id}/reject`, { token: admin.token, body: {} });
    expect(missingReason.status).toBe(400);

    const me = await api('GET', '/api/me', { token: t1.token });
    expect(me.body.user.teacherStatus).toBe('verified');
  });

  it('non-admins get 403; unknown teacher ids 404', async () => {
    const admin = await createAdmin();
    const t = await registerUser('teacher');
    expect((await api('POST', `/api/admin/teachers/${t.id}/verify`, { token: t.token })).status).toBe(403);
    expect((await api('GET', '/api/admin/teachers', { token: (await registerUser('parent')).token })).status).toBe(403);
    expect((await api('POST', `/api/admin/teachers/${crypto.randomUUID()}/verify`, { token: admin.token })).status).toBe(404);
    // A learner is not a teacher to verify.
    const l = await registerUser('learner');
    expect((await api('POST', `/api/admin/teachers/${l.id}/verify`, { token: admin.token })).status).toBe(404);
  });
});

describe('password hashing', () => {
  it('flags hashes made with fewer iterations for an upgrade', async () => {
    const old = await hashPassword('some passphrase', 'pepper-pepper-pepper', 1000);
    const v = await verifyPassword('some passphrase', old, 'pepper-pepper-pepper');
    expect(v).toEqual({ ok: true, needsRehash: true });
  });
});
