import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app.ts';

/**
 * Edge cache for public, anonymous GETs (the Workers Cache API of the colo). Keyed by the
 * full URL so a change can purge exactly the URLs that show it (catalog/invalidation.ts).
 * Requests carrying credentials bypass it: nothing personal is ever stored.
 */
export const edgeCache = (opts: { sMaxAge: number; staleWhileRevalidate: number }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    // Browsers revalidate every time (a cheap 304 with the ETag) so an edit shows at once;
    // shared caches keep it for s-maxage and may serve it stale while they refresh.
    const cacheControl = `public, max-age=0, s-maxage=${opts.sMaxAge}`;
    const cdnCacheControl = `public, s-maxage=${opts.sMaxAge}, stale-while-revalidate=${opts.staleWhileRevalidate}`;
    const store = (globalThis as { caches?: { default?: Cache } }).caches?.default;
    const personal = c.req.header('authorization') || /(?:^|;\s*)__Host-sabaq_at=/.test(c.req.header('cookie') ?? '');
    if (!store || personal || c.req.method !== 'GET') {
      await next();
      if (c.res.status === 200) {
        c.header('Cache-Control', personal ? 'private, no-store' : cacheControl);
        if (!personal) c.header('CDN-Cache-Control', cdnCacheControl);
      }
      return;
    }
    const key = new Request(c.req.url, { method: 'GET' });
    const hit = await store.match(key);
    if (hit) {
      const res = new Response(hit.body, hit);
      res.headers.set('X-Edge-Cache', 'HIT');
      c.res = res;
      return;
    }
    await next();
    if (c.res.status !== 200) return;
    c.res.headers.set('Cache-Control', cacheControl);
    c.res.headers.set('CDN-Cache-Control', cdnCacheControl);
    c.res.headers.set('X-Edge-Cache', 'MISS');
    const copy = c.res.clone();
    const stored = new Response(copy.body, copy);
    stored.headers.delete('X-Request-Id');
    stored.headers.delete('Set-Cookie');
    // Rate-limit headers describe the first requester's allowance, not a later reader's.
    for (const h of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy']) stored.headers.delete(h);
    const put = store.put(key, stored);
    try {
      c.executionCtx.waitUntil(put);
    } catch {
      await put;
    }
  });

/**
 * Public lists: no edge copy (too many URL variants to purge). Browsers revalidate with the
 * ETag every time; a CDN may keep them 30 s and serve stale while it refreshes.
 */
export const PUBLIC_LIST_HEADERS = {
  'Cache-Control': 'public, max-age=0, s-maxage=30',
  'CDN-Cache-Control': 'public, s-maxage=30, stale-while-revalidate=60',
};

/** Drops this colo's edge-cached copies of public pages (site paths like `/ru/courses/…`). */
export interface EdgePurge {
  purge(paths: string[]): Promise<void>;
}

/**
 * The purge of one request: edge entries are keyed by full URL, so the paths are resolved
 * against the origin the request came in on (set once when the request's services are made).
 * Work outside a request (queues, cron) has no origin and no edge copies to drop: a no-op.
 */
export function edgePurge(origin: string | undefined): EdgePurge {
  return {
    async purge(paths) {
      const store = (globalThis as { caches?: { default?: Cache } }).caches?.default;
      if (!origin || !store) return;
      await Promise.all(paths.map((p) => store.delete(new URL(p, origin).toString())));
    },
  };
}
