/**
 * Stops and restarts the Redis behind the local Upstash endpoint, through the control
 * server of the test setup. Only `*.outage.test.ts` files may use it: their project runs
 * after all others, so an outage never leaks into unrelated tests running in parallel.
 */
import { env } from 'cloudflare:test';

export async function redisControl(action: 'pause' | 'resume'): Promise<Response> {
  const url = (env as unknown as Record<string, string>).TEST_CONTROL_URL;
  return fetch(`${url}/redis/${action}`, { method: 'POST' });
}
