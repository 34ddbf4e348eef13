/**
 * Every request pays for routing. Hono's RegExpRouter matches the whole route set with one
 * compiled expression; when it cannot compile the set (a static and a parameter segment at the
 * same depth of one method, e.g. POST /x/all beside POST /x/{id}/y) SmartRouter silently falls
 * back to the TrieRouter, which walked ~500 routes per request: ~5 % of /api/health's CPU.
 */
import { env } from 'cloudflare:test';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { describe, expect, it } from 'vitest';
import { app } from './index.ts';

describe('the route set', () => {
  it('compiles with the RegExpRouter', () => {
    const router = new RegExpRouter<number>();
    for (const [i, r] of app.routes.entries()) router.add(r.method, r.path, i);
    expect(() => router.match('GET', '/api/health')).not.toThrow();
  });

  it('is what the app routes with', async () => {
    expect((await app.request('/api/health', {}, env)).status).toBe(200);
    expect((app.router as { name: string }).name).toBe('SmartRouter + RegExpRouter');
  });
});
