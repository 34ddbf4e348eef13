import { ctxOf, type AppContext } from '../app.ts';

/**
 * Incremental static regeneration for the pages the Worker renders (course, home, catalog…):
 * a rendered page is kept in the colo's cache (Workers Cache API) keyed by its URL. Within
 * `sMaxAge` a hit is served as is; after it, for `staleWhileRevalidate` more seconds, the stale
 * copy is served at once and the page is rendered again in the background. A hit touches
 * neither Postgres nor Redis. Writes purge the URLs (catalog/invalidation.ts).
 *
 * Rendered pages never contain user data, and a request that carries a session never stores
 * a copy, so nothing rendered while someone was logged in can reach another visitor.
 */
export interface PageCachePolicy {
  sMaxAge: number;
  staleWhileRevalidate: number;
}

export interface Rendered {
  response: Response;
  /** Only public, user-independent renders may be stored. */
  shareable: boolean;
}

const RENDERED_AT = 'X-Rendered-At';
// Background re-renders in flight in this isolate, so a burst on a stale page renders it once.
const refreshing = new Set<string>();

export function hasSession(req: Request): boolean {
  return Boolean(req.headers.get('authorization')) || /(?:^|;\s*)__Host-sabaq_(?:at|rt)=/.test(req.headers.get('cookie') ?? '');
}

function edgeStore(): Cache | undefined {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default;
}

/** Headers of a shared page as browsers and CDNs see them. */
export function publicPageHeaders(policy: PageCachePolicy): Record<string, string> {
  return {
    // Browsers revalidate (an edit shows at once); shared caches keep it s-maxage and may
    // serve it stale while they refresh.
    'Cache-Control': `public, max-age=0, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`,
    'CDN-Cache-Control': `public, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`,
  };
}

async function store(cache: Cache, key: string, rendered: Response, policy: PageCachePolicy, now: number): Promise<void> {
  const copy = new Response(rendered.body, rendered);
  // The colo keeps it for the whole stale window; freshness is judged from X-Rendered-At.
  copy.headers.set('Cache-Control', `public, max-age=0, s-maxage=${policy.sMaxAge + policy.staleWhileRevalidate}`);
  copy.headers.delete('CDN-Cache-Control');
  copy.headers.delete('Set-Cookie');
  copy.headers.delete('X-Request-Id');
  copy.headers.set(RENDERED_AT, String(now));
  await cache.put(key, copy);
}

function finish(res: Response, state: string, policy: PageCachePolicy): Response {
  const out = new Response(res.body, res);
  for (const [k, v] of Object.entries(publicPageHeaders(policy))) out.headers.set(k, v);
  out.headers.delete(RENDERED_AT);
  out.headers.set('X-Edge-Cache', state);
  return out;
}

/**
 * Serves `key` from the edge cache or renders it. `render` must not read cookies or the
 * actor: the same bytes go to everyone.
 */
export async function cachedPage(c: AppContext, key: string, policy: PageCachePolicy, render: () => Promise<Rendered>): Promise<Response> {
  const cache = edgeStore();
  const method = c.req.method;
  if (!cache || (method !== 'GET' && method !== 'HEAD')) {
    const { response, shareable } = await render();
    return shareable ? finish(response, 'BYPASS', policy) : response;
  }
  const now = Date.now();
  const hit = await cache.match(key);
  if (hit) {
    const age = (now - Number(hit.headers.get(RENDERED_AT) ?? 0)) / 1000;
    if (age <= policy.sMaxAge) return finish(hit, 'HIT', policy);
    if (!refreshing.has(key)) {
      refreshing.add(key);
      ctxOf(c).defer(
        render()
          .then(({ response, shareable }) =>
            shareable && response.status === 200
              ? store(cache, key, response, policy, Date.now())
              : cache.delete(key).then(() => undefined),
          )
          .finally(() => refreshing.delete(key)),
      );
    }
    return finish(hit, 'STALE', policy);
  }
  const { response, shareable } = await render();
  if (!shareable || response.status !== 200) return response;
  if (hasSession(c.req.raw)) return finish(response, 'BYPASS', policy);
  const [mine, theirs] = response.body ? response.body.tee() : [null, null];
  ctxOf(c).defer(store(cache, key, new Response(theirs, response), policy, now));
  return finish(new Response(mine, response), 'MISS', policy);
}
