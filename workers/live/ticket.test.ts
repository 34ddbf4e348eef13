import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { openLive } from '../../tests/support/learning.ts';
import { PASSWORD, registerUser, uniqueIp } from '../../tests/support/users.ts';

const openWith = (ticket: string) =>
  SELF.fetch(`http://sabaq.test/api/me/live?ticket=${encodeURIComponent(ticket)}`, { headers: { Upgrade: 'websocket' } });

describe('live ticket — revoked with its session (security)', () => {
  it('after logout, a ticket of that session no longer opens /api/me/live', async () => {
    const u = await registerUser();
    const first = (await api('POST', '/api/me/live/ticket', { token: u.token })).body.ticket as string;
    const socket = await openLive({ ticket: first }); // valid while the session lives
    socket.close();
    const ticket = (await api('POST', '/api/me/live/ticket', { token: u.token })).body.ticket as string;
    const out = await api('POST', '/api/auth/logout', { token: u.token });
    expect(out.status, show(out)).toBe(204);
    const res = await openWith(ticket);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('after a password change (every session revoked), an older ticket is refused too', async () => {
    const u = await registerUser();
    const ticket = (await api('POST', '/api/me/live/ticket', { token: u.token })).body.ticket as string;
    await new Promise((r) => setTimeout(r, 1100)); // tickets carry whole seconds
    const changed = await api('POST', '/api/me/password', {
      token: u.token,
      body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(changed.status, show(changed)).toBe(200);
    expect((await openWith(ticket)).status).toBe(401);
  });
});
