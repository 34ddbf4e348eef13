import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { BucketCharge, BucketAnswer } from './cache.ts';
import { AppError } from './errors.ts';
import { redisBudget, redisCall, redisMetrics } from './redis.ts';

type Limiter = ReturnType<typeof Ratelimit.slidingWindow> | ReturnType<typeof Ratelimit.tokenBucket>;

interface Policy {
  limiter: () => Limiter;
  /** Limit shown in RateLimit-Limit. */
  limit: number;
  /** Window in seconds, for the RateLimit-Policy header. */
  windowSec: number;
  /**
   * What happens when Redis is down: abuse limits on login and payments fail closed (503),
   * general limits fail open so a cache outage does not take the API down.
   */
  failMode: 'open' | 'closed';
  /** A token bucket's parameters, for charging it inside another script (cache reads). */
  bucket?: { refillRate: number; intervalMs: number; maxTokens: number };
}

/**
 * `maxTokens` at once, `refillRate` more every `intervalSec`. One definition for both ways the
 * bucket is charged: through @upstash/ratelimit, or in the cache read's script (lib/cache.ts),
 * which keeps the library's key and arithmetic so both see the same bucket.
 */
const tokenBucket = (refillRate: number, intervalSec: number, maxTokens: number) => ({
  limiter: () => Ratelimit.tokenBucket(refillRate, `${intervalSec} s`, maxTokens),
  bucket: { refillRate, intervalMs: intervalSec * 1000, maxTokens },
  limit: maxTokens,
  windowSec: intervalSec,
});

/** One table of every limit the API enforces. */
export const policies = {
  /** Failed logins per account and IP. */
  'auth.login.failures': { limiter: () => Ratelimit.slidingWindow(5, '15 m'), limit: 5, windowSec: 900, failMode: 'closed' },
  /** All login attempts per IP, whatever the account. */
  'auth.login.ip': { limiter: () => Ratelimit.slidingWindow(30, '15 m'), limit: 30, windowSec: 900, failMode: 'closed' },
  'auth.register.ip': { limiter: () => Ratelimit.slidingWindow(10, '1 h'), limit: 10, windowSec: 3600, failMode: 'closed' },
  /** Current-password checks (password change, account deletion) per IP; the per-account back-off is in identity/backoff.ts. */
  'auth.password.ip': { limiter: () => Ratelimit.slidingWindow(20, '15 m'), limit: 20, windowSec: 900, failMode: 'closed' },
  /** Password-reset requests per address and per email (unknown emails count too, so the answer says nothing). */
  'auth.reset.ip': { limiter: () => Ratelimit.slidingWindow(10, '15 m'), limit: 10, windowSec: 900, failMode: 'closed' },
  'auth.reset.email': { limiter: () => Ratelimit.slidingWindow(3, '15 m'), limit: 3, windowSec: 900, failMode: 'closed' },
  /** Reset and verification links tried per address: 256-bit tokens cannot be guessed, but a flood is still refused. */
  'auth.token.ip': { limiter: () => Ratelimit.slidingWindow(30, '15 m'), limit: 30, windowSec: 900, failMode: 'closed' },
  /** Verification emails re-sent per account. */
  'auth.verify.resend': { limiter: () => Ratelimit.slidingWindow(3, '1 h'), limit: 3, windowSec: 3600, failMode: 'closed' },
  'auth.refresh.ip': { limiter: () => Ratelimit.slidingWindow(60, '1 m'), limit: 60, windowSec: 60, failMode: 'closed' },
  /** Public catalog reads: 120 a minute sustained, bursts up to 180. */
  'catalog.read': { ...tokenBucket(120, 60, 180), failMode: 'open' },
  /** Search: 30 per 10 s sustained, bursts up to 45. */
  search: { ...tokenBucket(30, 10, 45), failMode: 'open' },
  /** Authoring writes per teacher (an editor saving a course structure makes many). */
  'authoring.write': { limiter: () => Ratelimit.slidingWindow(120, '1 m'), limit: 120, windowSec: 60, failMode: 'open' },
  /** Checkout sessions per buyer: a money path, so it fails closed. */
  'payments.checkout': { limiter: () => Ratelimit.slidingWindow(20, '1 m'), limit: 20, windowSec: 60, failMode: 'closed' },
  /** Live game state polling (the HTTP fallback) per client address: 2/s sustained, bursts up to 40. */
  'games.state': { ...tokenBucket(20, 10, 40), failMode: 'open' },
} satisfies Record<string, Policy>;

export type PolicyName = keyof typeof policies;

export interface LimitDecision {
  policy: PolicyName;
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix ms when the window frees up. */
  reset: number;
  /** Redis could not be asked and the policy let the request through. */
  failedOpen: boolean;
}

/** Where a policy's counters live in Redis (the bench clears `rl:*` between knee steps). */
const prefixOf = (name: PolicyName) => `rl:${name}`;

function limiterFor(redis: Redis, name: PolicyName): Ratelimit {
  const policy: Policy = policies[name];
  return new Ratelimit({
    redis,
    limiter: policy.limiter(),
    prefix: prefixOf(name),
    analytics: false,
    // Exact counts across isolates matter more here than saving a round trip.
    ephemeralCache: false,
  });
}

function unavailable(name: PolicyName, err: unknown): AppError {
  return new AppError(
    'service_unavailable',
    'This action is temporarily unavailable, try again shortly',
    { policy: name, cause: String(err) },
    { 'Retry-After': '5' },
  );
}

/** The token-bucket policies whose failures let requests through: the ones a cache read may charge. */
export type CacheChargedPolicy = 'catalog.read' | 'search';

function decide(redis: Redis, name: PolicyName, r: { success?: boolean; limit: number; remaining: number; reset: number }): LimitDecision {
  const allowed = r.success ?? r.remaining > 0;
  redisMetrics(redis).rateLimit(name, allowed ? 'allowed' : 'blocked');
  return { policy: name, allowed, limit: r.limit, remaining: Math.max(0, r.remaining), reset: r.reset, failedOpen: false };
}

function failed(redis: Redis, name: PolicyName, err: unknown): LimitDecision {
  const policy: Policy = policies[name];
  redisMetrics(redis).rateLimit(name, policy.failMode === 'closed' ? 'failed_closed' : 'failed_open');
  if (policy.failMode === 'closed') throw unavailable(name, err);
  return {
    policy: name,
    allowed: true,
    limit: policy.limit,
    remaining: policy.limit,
    reset: Date.now() + policy.windowSec * 1000,
    failedOpen: true,
  };
}

/**
 * A hit of `name` for `key`, charged by the request's next cache read in the same Redis round
 * trip (a cached answer is then one round trip, its rate-limit decision included). The charge
 * settles before anything is loaded: over the limit, the read throws the 429. `decision()` is
 * undefined while no cache read has charged it.
 */
export function cacheReadCharge(
  redis: Redis,
  name: CacheChargedPolicy,
  key: string,
): { charge: BucketCharge; decision(): LimitDecision | undefined } {
  const bucket = policies[name].bucket;
  let decision: LimitDecision | undefined;
  const charge: BucketCharge = {
    // @upstash/ratelimit's key: `<prefix>:<identifier>`.
    key: `${prefixOf(name)}:${key}`,
    ...bucket,
    settle(answer: BucketAnswer) {
      // The library's convention: -1 tokens left is a refusal (nothing was taken).
      decision =
        'error' in answer
          ? failed(redis, name, answer.error)
          : decide(redis, name, { success: answer.remaining >= 0, limit: answer.limit, remaining: answer.remaining, reset: answer.reset });
      if (!decision.allowed) throw rateLimited(decision);
    },
  };
  return { charge, decision: () => decision };
}

async function guarded(
  redis: Redis,
  name: PolicyName,
  run: () => Promise<{ success?: boolean; limit: number; remaining: number; reset: number }>,
): Promise<LimitDecision> {
  try {
    return decide(redis, name, await redisCall(run, `rate limit ${name}`, redisBudget(redis, 2)));
  } catch (err) {
    return failed(redis, name, err);
  }
}

/** Counts one hit against `key` and says whether it is within the limit. */
export function hit(redis: Redis, name: PolicyName, key: string): Promise<LimitDecision> {
  return guarded(redis, name, () => limiterFor(redis, name).limit(key));
}

/** Reads the remaining allowance without counting a hit. */
export function peek(redis: Redis, name: PolicyName, key: string): Promise<LimitDecision> {
  return guarded(redis, name, () => limiterFor(redis, name).getRemaining(key));
}

/** Clears the count for `key` (a successful login forgives earlier failures). */
export async function forgive(redis: Redis, name: PolicyName, key: string): Promise<void> {
  await redisCall(() => limiterFor(redis, name).resetUsedTokens(key), `rate limit reset ${name}`, redisBudget(redis, 2)).catch(() => {});
}

/** IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) plus Retry-After. */
export function limitHeaders(d: LimitDecision): Record<string, string> {
  const resetSec = Math.max(0, Math.ceil((d.reset - Date.now()) / 1000));
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(resetSec),
    'RateLimit-Policy': `${d.limit};w=${policies[d.policy].windowSec}`,
  };
  if (!d.allowed) headers['Retry-After'] = String(Math.max(1, resetSec));
  return headers;
}

export function rateLimited(d: LimitDecision, message = 'Too many requests, slow down'): AppError {
  return new AppError(
    'rate_limited',
    message,
    { policy: d.policy, retryAfterSec: Math.max(1, Math.ceil((d.reset - Date.now()) / 1000)) },
    limitHeaders(d),
  );
}
