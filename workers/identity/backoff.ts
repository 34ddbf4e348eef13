import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { redisBudget, redisCall } from '../lib/redis.ts';

/**
 * Failed password checks per account, whatever the address they come from (NIST SP 800-63B
 * §5.2.2): the first FREE_FAILURES cost nothing, each one after that doubles the wait before
 * the next try (2 s, 4 s, 8 s … up to 15 minutes). It never locks for good, so the owner can
 * always get in after a wait, and a botnet spread over many addresses gets a few dozen
 * guesses a day instead of five per address. A success forgets the count; so does a day
 * without failures. Like the login limits it fails closed: no Redis, no password check.
 */
export const FREE_FAILURES = 5;
export const MAX_DELAY_SEC = 15 * 60;
const MEMORY_SEC = 24 * 60 * 60;

export type BackoffScope = 'login' | 'password';

/** Seconds to wait after the n-th consecutive failure. */
export function backoffDelaySec(failures: number): number {
  return failures <= FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SEC);
}

const keyOf = (scope: BackoffScope, account: string) => `bo:${scope}:${account}`;

function unavailable(err: unknown): AppError {
  return new AppError(
    'service_unavailable',
    'This action is temporarily unavailable, try again shortly',
    { policy: 'auth.backoff', cause: String(err) },
    { 'Retry-After': '5' },
  );
}

/** Throws 429 (with Retry-After) while the account is in its back-off. */
export async function assertNotBackedOff(ctx: Ctx, scope: BackoffScope, account: string, message: string): Promise<void> {
  const key = keyOf(scope, account);
  let state: [unknown, unknown];
  try {
    state = await redisCall(
      () => ctx.services.redis.pipeline().get(`${key}:n`).get(`${key}:last`).exec<[unknown, unknown]>(),
      'password back-off',
      redisBudget(ctx.services.redis, 2),
    );
  } catch (err) {
    throw unavailable(err);
  }
  const failures = Number(state[0] ?? 0);
  const until = Number(state[1] ?? 0) + backoffDelaySec(failures) * 1000;
  const waitSec = Math.ceil((until - Date.now()) / 1000);
  if (waitSec > 0) {
    throw new AppError(
      'rate_limited',
      message,
      { policy: `auth.backoff.${scope}`, retryAfterSec: waitSec, failures },
      { 'Retry-After': String(waitSec) },
    );
  }
}

/** Counts one failure; answers the wait before the next try (seconds, 0 = none). */
export async function recordFailure(ctx: Ctx, scope: BackoffScope, account: string): Promise<number> {
  const key = keyOf(scope, account);
  try {
    const [failures] = await redisCall(
      () => {
        // Two plain keys: the count is an atomic INCR, so parallel guesses are all counted.
        const p = ctx.services.redis.pipeline();
        p.incr(`${key}:n`);
        p.set(`${key}:last`, Date.now(), { ex: MEMORY_SEC });
        p.expire(`${key}:n`, MEMORY_SEC);
        return p.exec<[number, string, number]>();
      },
      'password back-off',
      redisBudget(ctx.services.redis, 2),
    );
    return backoffDelaySec(failures);
  } catch (err) {
    throw unavailable(err);
  }
}

/** After a correct password: the count starts over. */
export async function forgetFailures(ctx: Ctx, scope: BackoffScope, account: string): Promise<void> {
  const key = keyOf(scope, account);
  await redisCall(
    () => ctx.services.redis.del(`${key}:n`, `${key}:last`),
    'password back-off reset',
    redisBudget(ctx.services.redis, 2),
  ).catch(() => {});
}
