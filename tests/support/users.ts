/** Creates fresh users per test through the real API (or, for admins, the bootstrap path). */
import { env } from 'cloudflare:test';
import { createDatabase } from '../../db/client.ts';
import { users } from '../../db/schema/index.ts';
import { CONSENT_VERSIONS } from '../../workers/consent/consent.ts';
import { hashPassword } from '../../workers/identity/password.ts';
import { api, show } from './http.ts';

export const vars = env as unknown as Record<string, string>;

export function testDb() {
  return createDatabase({
    url: vars.DATABASE_URL!,
    httpEndpoint: vars.NEON_HTTP_ENDPOINT,
    wsProxy: vars.NEON_WS_PROXY,
  });
}

let seq = 0;
/** A unique email and IP per call, so limits and uniqueness never collide across tests. */
export function uniqueEmail(prefix = 'user') {
  return `${prefix}.${Date.now().toString(36)}.${(seq++).toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.test`;
}
export function uniqueIp() {
  const n = Math.floor(Math.random() * 0xffffff);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: string;
  token: string;
  refreshToken: string;
}

/**
 * A user registered through the API. Public sign-ups start unverified (no publishing, no
 * paying); tests get a confirmed address unless they pass `{ verified: false }`, as the
 * emailed link would do (identity/recovery.test.ts covers the link itself).
 */
export async function registerUser(
  role: 'learner' | 'parent' | 'teacher' = 'learner',
  extra: Record<string, unknown> = {},
  opts: { verified?: boolean } = {},
): Promise<TestUser> {
  const email = uniqueEmail(role);
  const res = await api('POST', '/api/auth/register', {
    body: {
      email,
      password: PASSWORD,
      name: `Test ${role}`,
      language: 'ru',
      role,
      consent: { terms: CONSENT_VERSIONS.terms, privacy: CONSENT_VERSIONS.privacy },
      ...extra,
    },
    headers: { 'cf-connecting-ip': uniqueIp() },
  });
  if (res.status !== 201) throw new Error(`register failed: ${show(res)}`);
  if (opts.verified !== false) {
    const { eq } = await import('drizzle-orm');
    await testDb().db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, res.body.user.id));
  }
  return { id: res.body.user.id, email, password: PASSWORD, role, token: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/** Admins never come from public registration: insert one as the bootstrap does, then log in. */
export async function createAdmin(): Promise<TestUser> {
  const email = uniqueEmail('admin');
  const { db } = testDb();
  await db.insert(users).values({
    email,
    passwordHash: await hashPassword(PASSWORD, vars.PASSWORD_PEPPER!),
    name: 'Test admin',
    role: 'admin',
  });
  return login(email, PASSWORD, 'admin');
}

export async function login(email: string, password: string, role = 'learner'): Promise<TestUser> {
  const res = await api('POST', '/api/auth/login', { body: { email, password }, headers: { 'cf-connecting-ip': uniqueIp() } });
  if (res.status !== 200) throw new Error(`login failed: ${show(res)}`);
  return { id: res.body.user.id, email, password, role, token: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/** A verified teacher, as an admin would approve one. */
export async function verifiedTeacher(): Promise<TestUser> {
  const teacher = await registerUser('teacher');
  const { db } = testDb();
  const { eq } = await import('drizzle-orm');
  await db.update(users).set({ teacherStatus: 'verified' }).where(eq(users.id, teacher.id));
  return teacher;
}
