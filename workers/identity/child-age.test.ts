import { describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { registerUser } from '../../tests/support/users.ts';
import { CHILD_MAX_AGE_YEARS, childBirthYears } from './child-age.ts';

describe('child birth year — what a child profile means (bad input)', () => {
  const { min, max } = childBirthYears();

  it('the range is the last 18 years, up to this year', () => {
    expect(max).toBe(new Date().getUTCFullYear());
    expect(max - min).toBe(CHILD_MAX_AGE_YEARS);
    expect(childBirthYears(new Date('2026-06-01T00:00:00Z'))).toEqual({ min: 2008, max: 2026 });
  });

  it.each([
    ['1990 (a 36-year-old "child")', 1990],
    ['one year before the range', min - 1],
    ['next year', max + 1],
  ])('%s → 400 naming birthYear, on create and on update', async (_label, birthYear) => {
    const parent = await registerUser('parent');
    const created = await api('POST', '/api/me/children', { token: parent.token, body: { name: 'Ali', birthYear, language: 'kk' } });
    expect(created.status, show(created)).toBe(400);
    expect(created.body.error.details.fields.birthYear).toBeTruthy();
    const child = await api('POST', '/api/me/children', { token: parent.token, body: { name: 'Ali', birthYear: max - 5, language: 'kk' } });
    expect(child.status, show(child)).toBe(201);
    const patched = await api('PATCH', `/api/me/children/${child.body.id}`, { token: parent.token, body: { birthYear } });
    expect(patched.status, show(patched)).toBe(400);
  });

  it.each([
    ['the oldest allowed', min],
    ['this year', max],
  ])('%s is accepted', async (_label, birthYear) => {
    const parent = await registerUser('parent');
    const res = await api('POST', '/api/me/children', { token: parent.token, body: { name: 'Ali', birthYear, language: 'kk' } });
    expect(res.status, show(res)).toBe(201);
  });
});
