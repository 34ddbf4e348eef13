import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import type { AppEnv } from '../app.ts';
import { ctxOf } from '../app.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { AppError, forbidden } from '../lib/errors.ts';
import { redisBudget, redisCall, scriptOf } from '../lib/redis.ts';
import { ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER } from './cookies.ts';
import { liveKey } from '../live/presence.ts';
import { revokedSessionKey, userNotBeforeKey } from './sessions.ts';
import { verifyAccessToken } from './tokens.ts';
import { errorFields } from '../lib/logger.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** lastActiveAt is written at most once a minute per user. */
const ACTIVITY_GATE_SEC = 60;

/**
 * KEYS: the session's revocation marker, the user's not-before, the activity gate, the live mark.
 * ARGV: the gate's lifetime. Returns { revoked or false, not-before or false, 1 when the gate
 * was set now, live mark or false }.
 */
const SESSION_SCRIPT = `
local gate = redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1])
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), gate and 1 or 0, redis.call('GET', KEYS[4]) }
`;

/**
 * One Redis round trip per authenticated request, as one script (a pipeline object costs more
 * CPU to build than the call itself): revocation markers for the session and the user, the
 * once-a-minute activity gate, and whether the user has a live socket open
 * (live/presence.ts). If Redis is unreachable the token's own 15-minute expiry is the
 * fallback (Redis stays off the critical path).
 */
async function sessionState(ctx: Ctx, sub: string, sid: string) {
  const redis = ctx.services.redis;
  try {
    const [revoked, notBefore, gate, live] = await redisCall(
      () =>
        scriptOf<[string | null, string | null, number, string | null]>(redis, SESSION_SCRIPT).exec(
          [revokedSessionKey(sid), userNotBeforeKey(sub), `auth:active:${sub}`, liveKey(sub)],
          [String(ACTIVITY_GATE_SEC)],
        ),
      'session state',
      redisBudget(redis),
    );
    return {
      revoked: revoked !== null,
      notBefore: notBefore === null ? 0 : Number(notBefore),
      touch: Number(gate) === 1,
      live: live !== null,
    };
  } catch (err) {
    ctx.log.warn('session state unavailable, relying on token expiry', errorFields(err));
    return { revoked: false, notBefore: 0, touch: false, live: undefined };
  }
}

/**
 * Throws when the session was revoked (logout, refresh-token reuse) or every session of the
 * user was (password change, account deletion) after `issuedAtMs`. For credentials other
 * than the access token that carry a session id, like the live socket's ticket.
 */
export async function assertSessionNotRevoked(ctx: Ctx, userId: string, sessionId: string, issuedAtMs: number): Promise<void> {
  const state = await sessionState(ctx, userId, sessionId);
  if (state.revoked || issuedAtMs < state.notBefore) throw new AppError('unauthorized', 'This session has been revoked; log in again');
}

type AuthContext = Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0];

export function bearerOrCookie(c: AuthContext) {
  const header = c.req.header('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'Use "Authorization: Bearer <token>"');
    return { token: m[1]!, via: 'bearer' as const };
  }
  const cookie = getCookie(c, ACCESS_COOKIE, 'host');
  return cookie ? { token: cookie, via: 'cookie' as const } : undefined;
}

/** Establishes the actor from the bearer token or the session cookie; undefined without credentials. */
export async function identify(c: AuthContext): Promise<Actor | undefined> {
  const found = bearerOrCookie(c);
  if (!found) return undefined;
  if (found.via === 'cookie' && !SAFE_METHODS.has(c.req.method)) {
    // Double-submit check: a cross-site form can send the cookie but cannot read it.
    const expected = getCookie(c, CSRF_COOKIE);
    if (!expected || c.req.header(CSRF_HEADER) !== expected) throw new AppError('csrf_failed', `Missing or wrong ${CSRF_HEADER} header`);
  }
  const claims = await verifyAccessToken(found.token, c.var.config.JWT_SECRET);
  const ctx = ctxOf(c);
  const state = await sessionState(ctx, claims.sub, claims.sid);
  if (state.revoked || claims.iatMs < state.notBefore) throw new AppError('unauthorized', 'This session has been revoked; log in again');
  if (state.touch) {
    ctx.defer(ctx.services.db.db.update(users).set({ lastActiveAt: ctx.services.now() }).where(eq(users.id, claims.sub)));
  }
  c.set('authVia', found.via);
  return { id: claims.sub, role: claims.role, sessionId: claims.sid, ...(state.live === undefined ? {} : { live: state.live }) };
}

/** Requires a valid session; optionally one of `roles`. Sets c.var.actor. */
export const authenticate = (roles?: Actor['role'][]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const actor = await identify(c);
    if (!actor) throw new AppError('unauthorized', 'Log in to continue');
    if (roles && !roles.includes(actor.role)) throw forbidden();
    c.set('actor', actor);
    await next();
  });

/** Sets c.var.actor when credentials are present (and valid); anonymous requests pass. */
export const authenticateOptional = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const actor = await identify(c);
    if (actor) c.set('actor', actor);
    await next();
  });
