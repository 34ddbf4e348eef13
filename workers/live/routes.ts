import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { createRouter, ctxOf, type AppEnv } from '../app.ts';
import { assertSessionNotRevoked, authenticate } from '../identity/auth.ts';
import { AppError } from '../lib/errors.ts';
import { errorResponses, json } from '../lib/openapi.ts';
import { issueLiveTicket, verifyLiveTicket } from './ticket.ts';
import { LIVE_USER_HEADER } from './user-live.ts';

/** `?ticket=` (any client) or the usual bearer token / session cookie. */
export const liveAuth = createMiddleware<AppEnv>(async (c, next) => {
  const ticket = c.req.query('ticket');
  if (ticket) {
    const { iatMs, ...actor } = await verifyLiveTicket(ticket, c.var.config.JWT_SECRET);
    // A ticket dies with its session: logout within its minute closes this door too.
    await assertSessionNotRevoked(ctxOf(c), actor.id, actor.sessionId, iatMs);
    c.set('actor', actor);
    return next();
  }
  return authenticate()(c, next);
});

/**
 * Cookies ride along on a cross-site WebSocket handshake too (browsers apply no CORS to
 * it), so a cookie-authenticated upgrade must come from our own origin or the allow-list.
 */
export const sameOriginForCookies = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header('origin');
  if (c.var.authVia === 'cookie' && origin && origin !== new URL(c.req.url).origin && !c.var.config.corsOrigins.includes(origin)) {
    throw new AppError('forbidden', 'This origin may not open the live connection');
  }
  await next();
});

const r = {
  live: createRoute({
    method: 'get',
    path: '/me/live',
    tags: ['notifications'],
    summary:
      "WebSocket of the user's live events (notifications, read markers); authenticate with the session cookie, a bearer token or ?ticket=",
    middleware: [liveAuth, sameOriginForCookies] as const,
    request: { query: z.object({ ticket: z.string().max(2000).optional() }) },
    responses: {
      101: { description: 'Switching protocols: JSON events `{type: "ready" | "notification" | "read", …}`; send "ping" to get "pong"' },
      ...errorResponses(400, 401, 403, 503),
    },
  }),
  ticket: createRoute({
    method: 'post',
    path: '/me/live/ticket',
    tags: ['notifications'],
    summary: 'A one-minute ticket for opening GET /api/me/live from a client that cannot send headers or cookies',
    middleware: [authenticate()] as const,
    responses: { 200: json(z.object({ ticket: z.string(), expiresIn: z.number() })), ...errorResponses(401) },
  }),
};

export const liveRoutes = createRouter()
  .openapi(r.live, async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new AppError('bad_request', 'Open this URL as a WebSocket (Upgrade: websocket)');
    const ns = c.var.config.LIVE;
    if (!ns) throw new AppError('service_unavailable', 'Live updates are not available', undefined, { 'Retry-After': '60' });
    const stub = ns.get(ns.idFromName(c.var.actor.id));
    // Nothing of the caller's request (cookies, tokens) travels to the object: only who it is.
    const upstream = await stub.fetch('https://live.internal/connect', {
      headers: { Upgrade: 'websocket', [LIVE_USER_HEADER]: c.var.actor.id },
    });
    if (upstream.status !== 101 || !upstream.webSocket)
      throw new AppError('service_unavailable', 'The live connection could not be opened', undefined, { 'Retry-After': '5' });
    return new Response(null, { status: 101, webSocket: upstream.webSocket }) as never;
  })
  .openapi(r.ticket, async (c) => c.json(await issueLiveTicket(c.var.actor, c.var.config.JWT_SECRET), 200));
