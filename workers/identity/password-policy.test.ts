import { describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { PASSWORD, registerUser, uniqueEmail, uniqueIp } from '../../tests/support/users.ts';
import { passwordProblem } from './password-policy.ts';

describe('password policy — predictable passwords (security)', () => {
  it.each([
    'password123',
    'Password2024!',
    'p@ssw0rd1',
    '!!dragon99',
    'qwerty123456',
    'monkey!!!!',
    'aaaaaaaa',
    '12345678',
    '87654321',
    'abcdefgh1',
  ])('refuses %s', (pw) => {
    expect(passwordProblem(pw)).toBeTruthy();
  });

  it.each([PASSWORD, 'Sabaq-k3x9q-learner', 'Tr0ub4dor&3xyz', 'мой кот любит рыбу', 'сәлем әлем 2024'])('accepts %s', (pw) => {
    expect(passwordProblem(pw)).toBeUndefined();
  });

  it('registration refuses password123 with a clear message naming the field', async () => {
    const res = await api('POST', '/api/auth/register', {
      body: { email: uniqueEmail(), password: 'password123', name: 'Dana', language: 'en', role: 'learner' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields.password).toMatch(/common word/);
  });

  it('a password change to password123 is refused too', async () => {
    const u = await registerUser();
    const res = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: PASSWORD, newPassword: 'password123' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields.newPassword).toMatch(/common word/);
  });
});
