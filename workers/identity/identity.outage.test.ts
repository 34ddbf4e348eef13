import { afterEach, describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { redisControl } from '../../tests/support/outage.ts';
import { PASSWORD, registerUser, uniqueIp } from '../../tests/support/users.ts';

describe('login limiter with Redis down — security', () => {
  afterEach(() => redisControl('resume'));

  it('fails closed with 503 when Redis is down', async () => {
    const u = await registerUser();
    expect((await redisControl('pause')).status).toBe(204);
    const res = await api('POST', '/api/auth/login', {
      body: { email: u.email, password: PASSWORD },
      headers: { 'cf-connecting-ip': uniqueIp() },
    });
    expect(res.status, show(res)).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect(res.headers.get('retry-after')).toBeTruthy();
  });
});
