import type { Redis } from '@upstash/redis/cloudflare';
import type { Env } from '../env.ts';
import { loadConfig } from '../env.ts';
import { createRedis, redisCall, redisTimeoutMs } from '../lib/redis.ts';

/**
 * Whether a user has a live socket open anywhere, so a write can skip the push to its own
 * actor's Durable Object when nobody would receive it. Measured (issue 16): the push of the
 * "you enrolled" notification — a Durable Object RPC per enrollment, for learners who almost
 * never have the socket open in the load scenarios, and a billed request plus an instance
 * started for nothing in production — was the largest single cost left in an enrollment.
 *
 * The user's object (user-live.ts) is the only one that knows: it sets the mark when it
 * accepts a socket, refreshes it from an alarm while any is open, and drops it when the last
 * one closes. Requests read it in the session check they make anyway (identity/auth.ts: the
 * same Redis script, no extra round trip), so `Actor.live` costs nothing. Only `false`
 * skips a push; unknown (Redis failing) pushes as before, and a page whose socket was down
 * catches up through its unread-count poll.
 */
export const liveKey = (userId: string) => `live:on:${userId}`;
/** The mark outlives a missed refresh by a wide margin. */
export const LIVE_TTL_SEC = 30 * 60;
/** How often the object renews the mark while a socket is open. */
export const LIVE_REFRESH_MS = 10 * 60_000;

/** Sets (on) or removes (off) a user's mark; failures are swallowed — the mark only saves work. */
export async function setLive(redis: Redis, userId: string, on: boolean): Promise<boolean> {
  try {
    await redisCall(
      (): Promise<unknown> => (on ? redis.set(liveKey(userId), '1', { ex: LIVE_TTL_SEC }) : redis.del(liveKey(userId))),
      'live presence',
      redisTimeoutMs(redis),
    );
    return true;
  } catch {
    return false;
  }
}

/** The Redis client of a Durable Object (it has no request services). */
export const presenceRedis = (env: Env): Redis => createRedis(loadConfig(env));
