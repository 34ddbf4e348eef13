import { afterEach, describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { redisControl } from '../../tests/support/outage.ts';

describe('readiness with Redis down', () => {
  afterEach(() => redisControl('resume'));

  it('ready answers 503 naming redis within 2 s when Redis stops, and 200 once it is back', async () => {
    expect((await redisControl('pause')).status).toBe(204);
    const started = Date.now();
    const down = await api('GET', '/api/ready');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(down.status, show(down)).toBe(503);
    expect(down.body.error.code).toBe('not_ready');
    expect(down.body.error.details.failing).toEqual(['redis']);
    expect(down.body.error.requestId).toBe(down.headers.get('x-request-id'));
    expect(down.headers.get('retry-after')).toBe('5');

    expect((await redisControl('resume')).status).toBe(204);
    const up = await api('GET', '/api/ready');
    expect(up.status, show(up)).toBe(200);
  });
});
