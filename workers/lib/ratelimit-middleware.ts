import { createMiddleware } from 'hono/factory';
import type { AppEnv, AppContext } from '../app.ts';
import { clientIp } from './request.ts';
import { cacheReadCharge, hit, limitHeaders, rateLimited, type CacheChargedPolicy, type PolicyName } from './ratelimit.ts';

/** Per-user when authenticated, else per client address. */
export const byActorOrIp = (c: AppContext) => (c.var.actor ? `u:${c.var.actor.id}` : `ip:${clientIp(c)}`);

/**
 * Applies one policy of the table to a route: 429 with Retry-After when over it, and the
 * RateLimit-* headers on every answer. Fail-open policies let requests through when Redis
 * is down and log it; fail-closed ones answer 503.
 */
export const rateLimit = (policy: PolicyName, key: (c: AppContext) => string = byActorOrIp) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const decision = await hit(c.var.services.redis, policy, key(c));
    if (decision.failedOpen) c.var.log.warn('rate limit failed open', { policy });
    if (!decision.allowed) throw rateLimited(decision);
    await next();
    if (!decision.failedOpen) for (const [k, v] of Object.entries(limitHeaders(decision))) c.res.headers.set(k, v);
  });

/**
 * The same limit for a route that answers from the cache: the hit is charged by the route's
 * cache read, in its Redis round trip, and settled before anything is loaded — a cached answer
 * costs one round trip instead of two. A request that reads no cache (refused input) is
 * counted after it is answered, so every request still counts.
 */
export const rateLimitOnCacheRead = (policy: CacheChargedPolicy, key: (c: AppContext) => string = byActorOrIp) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { redis, cache } = c.var.services;
    const id = key(c);
    const pending = cacheReadCharge(redis, policy, id);
    cache.chargeNextRead(pending.charge);
    try {
      await next();
    } finally {
      cache.chargeNextRead(undefined);
    }
    const decision = pending.decision() ?? (await hit(redis, policy, id));
    if (decision.failedOpen) c.var.log.warn('rate limit failed open', { policy });
    // A refusal's answer carries its headers already (rateLimited).
    if (!decision.failedOpen && decision.allowed) for (const [k, v] of Object.entries(limitHeaders(decision))) c.res.headers.set(k, v);
  });
