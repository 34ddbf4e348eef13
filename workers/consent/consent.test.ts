import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { children, consents, results, users } from '../../db/schema/index.ts';
import { childResult, createChild } from '../../tests/support/assessments.ts';
import { api, show } from '../../tests/support/http.ts';
import { PASSWORD, registerUser, testDb, uniqueEmail, uniqueIp } from '../../tests/support/users.ts';
import { CONSENT_VERSIONS } from './consent.ts';

const db = () => testDb().db;

describe('consent — happy', () => {
  it('registration records which terms and privacy notice were accepted, and when', async () => {
    const before = Date.now();
    const u = await registerUser('parent');
    const mine = await api('GET', '/api/me/consents', { token: u.token });
    expect(mine.status, show(mine)).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('private, no-store');
    expect(mine.body.items.map((c: { kind: string; version: string }) => [c.kind, c.version])).toEqual([
      ['terms', CONSENT_VERSIONS.terms],
      ['privacy', CONSENT_VERSIONS.privacy],
    ]);
    expect(Date.parse(mine.body.items[0].givenAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("adding a child records the parent's consent; the child export carries it", async () => {
    const parent = await registerUser('parent');
    const child = await createChild(parent, 'Дана');
    const exp = await api('GET', `/api/me/children/${child.id}/export`, { token: parent.token });
    expect(exp.status, show(exp)).toBe(200);
    expect(exp.body.consents).toEqual([
      { kind: 'child_data', version: CONSENT_VERSIONS.child_data, childId: child.id, givenAt: expect.any(String), withdrawnAt: null },
    ]);
  });

  it('the privacy facts are public: versions, and what a child assessment stores and who sees it', async () => {
    const res = await api('GET', '/api/privacy');
    expect(res.status).toBe(200);
    expect(res.body.versions).toEqual(CONSENT_VERSIONS);
    expect(res.body.childAssessment.seenBy).toEqual(['parent']);
    expect(res.body.childAssessment.stored).toContain('answers');
  });

  it("withdrawing consent deletes the child's data and keeps the withdrawal on record", async () => {
    const { parent, child, result } = await childResult();
    const res = await api('DELETE', `/api/me/children/${child.id}/consent`, { token: parent.token });
    expect(res.status, show(res)).toBe(200);
    expect(await db().select().from(children).where(eq(children.id, child.id))).toEqual([]);
    expect(await db().select().from(results).where(eq(results.id, result.id))).toEqual([]);
    const rows = await db().select().from(consents).where(eq(consents.userId, parent.id));
    const childRow = rows.find((r) => r.kind === 'child_data')!;
    expect(childRow.withdrawnAt).not.toBeNull();
    expect(childRow.childId).toBeNull();
    expect((await api('GET', `/api/me/children/${child.id}`, { token: parent.token })).status).toBe(404);
  });

  it('a child added without consent can be given it later, once', async () => {
    const parent = await registerUser('parent');
    const res = await api('POST', '/api/me/children', { token: parent.token, body: { name: 'Без согласия', birthYear: 2016 } });
    expect(res.status, show(res)).toBe(201);
    for (const _ of [1, 2]) {
      const given = await api('POST', `/api/me/children/${res.body.id}/consent`, {
        token: parent.token,
        body: { version: CONSENT_VERSIONS.child_data },
      });
      expect(given.status, show(given)).toBe(200);
    }
    expect(await db().select().from(consents).where(eq(consents.childId, res.body.id))).toHaveLength(1);
  });
});

describe('consent — errors and security', () => {
  it('an outdated version is refused naming the field, and nothing is written', async () => {
    const email = uniqueEmail('stale');
    const reg = await api('POST', '/api/auth/register', {
      body: {
        email,
        password: PASSWORD,
        name: 'Stale',
        language: 'ru',
        role: 'parent',
        consent: { terms: '2000-01-01', privacy: CONSENT_VERSIONS.privacy },
      },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(reg.status, show(reg)).toBe(400);
    expect(reg.body.error.details.fields).toHaveProperty(['consent.terms']);
    expect(await db().select().from(users).where(eq(users.email, email))).toEqual([]);
    const parent = await registerUser('parent');
    const child = await api('POST', '/api/me/children', {
      token: parent.token,
      body: { name: 'Старый', birthYear: 2016, consent: { version: 'old' } },
    });
    expect(child.status, show(child)).toBe(400);
    expect(child.body.error.details.fields).toHaveProperty(['consent.version']);
    expect(await db().select().from(children).where(eq(children.parentId, parent.id))).toEqual([]);
  });

  it("another parent's child is 404 for giving and withdrawing consent, and stays untouched", async () => {
    const owner = await registerUser('parent');
    const child = await createChild(owner, 'Чужой');
    const other = await registerUser('parent');
    expect((await api('DELETE', `/api/me/children/${child.id}/consent`, { token: other.token })).status).toBe(404);
    expect(
      (await api('POST', `/api/me/children/${child.id}/consent`, { token: other.token, body: { version: CONSENT_VERSIONS.child_data } }))
        .status,
    ).toBe(404);
    expect(await db().select().from(children).where(eq(children.id, child.id))).toHaveLength(1);
    expect((await api('GET', '/api/me/consents')).status).toBe(401);
  });
});
