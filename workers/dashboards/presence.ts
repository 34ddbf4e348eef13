import type { Ctx } from '../lib/context.ts';
import { redisCall, redisTimeoutMs, scriptOf } from '../lib/redis.ts';

/**
 * Whether a teacher has a dashboard open, so a learner's write wakes the teacher's live
 * object (and invalidates their dashboard caches) only when someone will see it. Without it,
 * every enrollment or completed lesson on the platform addressed a Durable Object — one billed
 * request and, for an idle teacher, an instance started for nothing — and the push was the
 * largest single cost of an enrollment in the Worker's CPU profile (issue 15).
 *
 * Every dashboard read marks the teacher as viewing for VIEWING_TTL_SEC (an open page reads
 * its pulse at least every 30 s). Their cached answers live at most 30 s, so once the mark is
 * gone no cached answer of theirs is left to invalidate either.
 *
 * The marks are one sorted set (member: teacher, score: when the mark ends). A write asks it
 * through the isolate's snapshot of the set, taken at most once a second, not with a Redis
 * round trip of its own: that GET was one of the two Redis calls of every enrollment. So a
 * dashboard opened in another isolate gets pulses from writes at most SNAPSHOT_MS later (it
 * loaded fresh numbers when it opened, and it polls). When very many teachers are looking the
 * snapshot would be large: then each write asks for its own teacher (ZSCORE) as before.
 */
export const VIEWING_TTL_SEC = 120;
/** An isolate re-marks the same teacher at most this often. */
const REMARK_MS = 30_000;
/** The set of marks, and how old the isolate's copy of it may be. */
export const VIEWERS_KEY = 'dash:viewers';
const SNAPSHOT_MS = 1_000;
/** Past this many viewers the snapshot is not copied: writes ask per teacher. */
export const SNAPSHOT_MAX = 1_000;

const marked = new Map<string, number>();
const MAX_MARKED = 10_000;

/** KEYS: the set. ARGV: now (ms), the cap. Drops ended marks; returns the viewers, or their count when over the cap. */
const SNAPSHOT_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > tonumber(ARGV[2]) then return n end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

interface Snapshot {
  /** When it was taken (the ctx clock, ms). */
  at: number;
  /** The teachers looking then; null when there were too many to copy. */
  viewers: Set<string> | null;
}
let snapshot: Snapshot | undefined;
/** The refresh in flight: concurrent writes wait for one call, not one each. */
let refreshing: Promise<Snapshot> | undefined;

/** Called on each dashboard read; costs a Redis write once per teacher, isolate and 30 s. */
export async function markViewing(ctx: Ctx, teacherId: string, now = ctx.services.now().getTime()): Promise<void> {
  const last = marked.get(teacherId);
  if (last !== undefined && now - last < REMARK_MS) return;
  const redis = ctx.services.redis;
  try {
    await redisCall(
      () => redis.zadd(VIEWERS_KEY, { score: now + VIEWING_TTL_SEC * 1000, member: teacherId }),
      'dashboard presence',
      redisTimeoutMs(redis),
    );
    if (marked.size >= MAX_MARKED) marked.clear();
    marked.set(teacherId, now);
    // This isolate's own writes see the mark at once.
    snapshot?.viewers?.add(teacherId);
  } catch {
    // Not marked: pulses may not reach this page until a later read marks it; it also polls.
  }
}

async function takeSnapshot(ctx: Ctx, now: number): Promise<Snapshot> {
  const redis = ctx.services.redis;
  try {
    const found = await redisCall(
      () => scriptOf<string[] | number>(redis, SNAPSHOT_SCRIPT).exec([VIEWERS_KEY], [String(now), String(SNAPSHOT_MAX)]),
      'dashboard presence',
      redisTimeoutMs(redis),
    );
    snapshot = { at: now, viewers: Array.isArray(found) ? new Set(found) : null };
  } catch {
    // Redis cannot say: nobody is taken to be looking for the snapshot's life (see isViewing),
    // so a failing Redis is not asked again by every write.
    snapshot = { at: now, viewers: new Set() };
  }
  return snapshot;
}

/**
 * True only when Redis says someone is looking. When Redis cannot answer (down, or slow under
 * load) the pulse is skipped: it is a live nicety, its cache bump would go to the same failing
 * Redis, and assuming a viewer added a Redis call and a Durable Object push to every write
 * exactly when the platform was least able to pay for them. An open dashboard still polls.
 */
export async function isViewing(ctx: Ctx, teacherId: string): Promise<boolean> {
  const now = ctx.services.now().getTime();
  let current = snapshot && now - snapshot.at < SNAPSHOT_MS ? snapshot : undefined;
  if (!current) {
    refreshing ??= takeSnapshot(ctx, now).finally(() => {
      refreshing = undefined;
    });
    current = await refreshing;
  }
  if (current.viewers) return current.viewers.has(teacherId);
  const redis = ctx.services.redis;
  try {
    const until = await redisCall(() => redis.zscore(VIEWERS_KEY, teacherId), 'dashboard presence', redisTimeoutMs(redis));
    return until !== null && Number(until) > now;
  } catch {
    return false;
  }
}
