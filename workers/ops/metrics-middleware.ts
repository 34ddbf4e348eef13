/**
 * Request metrics, as a middleware app.ts installs for every request. Kept apart from the
 * metrics route (which needs app.ts's router factory) so app.ts can import it without a cycle.
 */
import { neonConfig } from '@neondatabase/serverless';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppContext, AppEnv } from '../app.ts';
import { maybeFlushOps } from '../dashboards/ops-rollup.ts';
import { metrics, tagRoute, timedDbFetch, type Metrics } from '../lib/metrics.ts';

/**
 * The label of a request: the pattern of the route that answered it (`/api/courses/:id`),
 * never the raw path, so ids cannot blow up the number of series. Middleware is registered
 * for method ALL; the last method-specific match is the handler.
 */
export function routeLabel(c: AppContext): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL') return r.path;
  }
  const path = c.req.path;
  if (path.startsWith('/api/')) return 'unmatched';
  return path.startsWith('/_astro/') ? 'site:asset' : 'site:page';
}

let dbTimingInstalled = false;

/**
 * Postgres round trips of the Neon HTTP driver are timed through its fetchFunction hook
 * (a driver-wide setting, so once per isolate; an existing hook is wrapped, not replaced).
 * It records through the recorder of the env that installed it: an isolate runs one Worker,
 * so every later request has the same env.
 */
function installDbTiming(recorder: Metrics) {
  if (dbTimingInstalled) return;
  dbTimingInstalled = true;
  neonConfig.fetchFunction = timedDbFetch(recorder, neonConfig.fetchFunction as typeof fetch | undefined);
}

/** Counts and times every request by route pattern, method and status. */
export const requestMetrics = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    installDbTiming(metrics(c));
    const started = Date.now();
    await next();
    const route = routeLabel(c);
    metrics(c).request(route, c.req.method, c.res.status, Date.now() - started);
    tagRoute(c.res, route);
    // The admin dashboard's operations charts: this isolate's counts, added to Postgres once a minute.
    maybeFlushOps(
      () => c.var.services?.db,
      (p) => {
        const guarded = p.catch((err: unknown) => c.var.log?.warn('ops rollup flush failed', { error: String(err) }));
        try {
          c.executionCtx.waitUntil(guarded);
        } catch {
          // No ExecutionContext (app.request in a script): the promise still runs.
        }
      },
    );
  });
