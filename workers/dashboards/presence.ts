import type { Ctx } from '../lib/context.ts';
import { redisCall, redisTimeoutMs } from '../lib/redis.ts';

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
 */
export const VIEWING_TTL_SEC = 120;
/** An isolate re-marks the same teacher at most this often. */
const REMARK_MS = 30_000;
const viewingKey = (teacherId: string) => `dash:viewing:${teacherId}`;

const marked = new Map<string, number>();
const MAX_MARKED = 10_000;

/** Called on each dashboard read; costs a Redis write once per teacher, isolate and 30 s. */
export async function markViewing(ctx: Ctx, teacherId: string, now = Date.now()): Promise<void> {
  const last = marked.get(teacherId);
  if (last !== undefined && now - last < REMARK_MS) return;
  const redis = ctx.services.redis;
  try {
    await redisCall(() => redis.set(viewingKey(teacherId), '1', { ex: VIEWING_TTL_SEC }), 'dashboard presence', redisTimeoutMs(redis));
    if (marked.size >= MAX_MARKED) marked.clear();
    marked.set(teacherId, now);
  } catch {
    // Not marked: pulses may not reach this page until a later read marks it; it also polls.
  }
}

/**
 * True only when Redis says someone is looking. When Redis cannot answer (down, or slow under
 * load) the pulse is skipped: it is a live nicety, its cache bump would go to the same failing
 * Redis, and assuming a viewer added a Redis call and a Durable Object push to every write
 * exactly when the platform was least able to pay for them. An open dashboard still polls.
 */
export async function isViewing(ctx: Ctx, teacherId: string): Promise<boolean> {
  const redis = ctx.services.redis;
  try {
    return (await redisCall(() => redis.get(viewingKey(teacherId)), 'dashboard presence', redisTimeoutMs(redis))) !== null;
  } catch {
    return false;
  }
}
