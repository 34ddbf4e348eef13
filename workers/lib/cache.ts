import type { Redis } from '@upstash/redis/cloudflare';
import { Bulkhead } from './admission.ts';
import { publicDataChanged } from './public-version.ts';
import { overloaded } from './errors.ts';
import { errorFields, type Logger } from './logger.ts';
import { redisBudget, redisCall, redisTimeoutMs, scriptOf } from './redis.ts';
import { withTimeout } from './timeout.ts';

/**
 * Cache-aside over Upstash with generation keys and stale-while-revalidate.
 *
 * A cached value lives under `<key>@<gen…>` where each gen is a counter the writers bump
 * after committing. A write therefore makes every older entry unreachable at once (lists
 * and searches have too many keys to delete one by one), and a reader that loaded old
 * rows while a write was committing stores them under the old generation, where nobody
 * looks any more: a read after a write never returns the old data.
 *
 * Because writes are handled by generations, the TTL only bounds how old the parts that no
 * generation tracks may get (counters such as ratings and enrollments). Past `ttlSec` an
 * entry is stale, not gone: it is served at once and one reader refreshes it in the
 * background, so expiries do not reach the latency of users; it disappears after `staleSec`.
 *
 * A hit is one Redis round trip (a script reads the generations and the entry together).
 * A cold key under a burst is computed once: the script hands the fill lock to one reader,
 * the others wait for its value. Redis is never on the critical path: every call has a
 * short timeout, and when Redis is slow or down the loader runs against Postgres directly
 * (at once while the breaker in lib/redis.ts is open after repeated failures).
 */
export interface CacheStats {
  hit(family: string): void;
  miss(family: string): void;
  error(family: string): void;
  load(family: string): void;
}

export interface CacheOptions<T> {
  /** Key family for metrics, e.g. "course", "courses:list", "search". */
  family: string;
  key: string;
  /** Generation counters this entry depends on. */
  gens: string[];
  /** Fresh for this long; then served stale while one reader refreshes it. */
  ttlSec: number;
  /** How long past `ttlSec` a stale entry may still be served (default 10 × ttlSec). */
  staleSec?: number;
  load: () => Promise<T>;
}

export interface CacheDeps {
  stats?: CacheStats;
  /** Keeps background refreshes alive after the response (waitUntil). */
  defer?: (p: Promise<unknown>) => void;
  now?: () => number;
  /** Tests: their own memory tier and load bulkheads instead of the isolate's. */
  memory?: MemoryTier;
  loadGate?: (family: string) => Bulkhead;
}

export const LOCK_MS = 3000;
const WAIT_STEP_MS = 25;
const WAIT_STEPS = 40;

/**
 * The cache read, generations from KEYS[first] on. ARGV: key, now (ms), lock ms.
 * Returns { full key, stored value or '', 1 if this caller must (re)load it }.
 * Stored values are "<fresh-until ms>|<json>" (prefix c2: — entries of the older layout are never read).
 */
const readLua = (first: number) => `
local parts = {}
if #KEYS >= ${first} then
  local gens = redis.call('MGET', unpack(KEYS, ${first}))
  for i = 1, #gens do parts[i] = type(gens[i]) == 'string' and gens[i] or '0' end
end
local full = 'c2:' .. ARGV[1] .. '@' .. table.concat(parts, '.')
local v = redis.call('GET', full)
local claim = 0
local fresh = true
if v then
  local sep = string.find(v, '|', 1, true)
  local freshUntil = sep and tonumber(string.sub(v, 1, sep - 1))
  fresh = freshUntil ~= nil and freshUntil > tonumber(ARGV[2])
end
if (not v) or (not fresh) then
  if redis.call('SET', 'lock:' .. full, '1', 'NX', 'PX', ARGV[3]) then claim = 1 end
end
`;

/** KEYS: the generation counters. */
export const READ_SCRIPT = `${readLua(1)}
return { full, v or '', claim }
`;

/**
 * A token bucket charged, then the cache read — one round trip for a cached answer and its
 * rate-limit decision. KEYS: the bucket, then the generation counters. ARGV: key, now (ms), lock
 * ms, then the bucket's max tokens, interval (ms), refill per interval. The bucket part is
 * @upstash/ratelimit's tokenBucket (same hash fields, arithmetic and expiry), so requests
 * limited through the library and through this script share one bucket. Over the limit nothing
 * is read: { '', '', 0, -1, reset (ms), limit }; else { full, value, claim, tokens left, reset, limit }.
 */
export const CHARGED_READ_SCRIPT = `
local maxTokens = tonumber(ARGV[4])
local interval = tonumber(ARGV[5])
local refillRate = tonumber(ARGV[6])
local now = tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'refilledAt', 'tokens')
-- A missing bucket is full (tonumber: some Redis emulations answer a missing field with a null, not false).
local refilledAt = tonumber(bucket[1]) or now
local tokens = tonumber(bucket[2]) or maxTokens
if now >= refilledAt + interval then
  local refills = math.floor((now - refilledAt) / interval)
  tokens = math.min(maxTokens, tokens + refills * refillRate)
  refilledAt = refilledAt + refills * interval
end
if tokens < 1 then return { '', '', 0, -1, refilledAt + interval, maxTokens } end
local left = tokens - 1
redis.call('HSET', KEYS[1], 'refilledAt', refilledAt, 'tokens', left)
local expireAt = math.ceil((maxTokens - left) / refillRate) * interval
if expireAt > 0 then redis.call('PEXPIRE', KEYS[1], expireAt) end
${readLua(2)}
return { full, v or '', claim, left, refilledAt + interval, maxTokens }
`;

/** Full key, stored value or '', claim; with a charge also tokens left, reset (ms), limit. */
type ReadAnswer = [string, string, number, number?, number?, number?];

/** What the bucket said: tokens left (-1: refused, nothing taken), when it refills (ms), its size. */
export type BucketAnswer = { remaining: number; reset: number; limit: number } | { error: unknown };

/** A rate-limit token bucket for the next cache read to charge (lib/ratelimit.ts, cacheReadCharge). */
export interface BucketCharge {
  key: string;
  maxTokens: number;
  intervalMs: number;
  refillRate: number;
  /** Called before anything is loaded, with the bucket's answer or Redis's error; throws to refuse the request. */
  settle(answer: BucketAnswer): void;
}

/**
 * KEYS: the entry, its fill lock. ARGV: the stored value, its expiry (s). The fill of a reader
 * that held the lock: store and release in one round trip — a script, not a pipeline (the
 * client's Pipeline builds a closure per Redis command it knows, on every use).
 */
const FILL_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * Per-isolate memory of the last value read or loaded per key (the JSON as stored), bounded,
 * least recently used out first. Read only while Redis cannot answer, so a cache that cannot
 * fill still converges: a hot key is loaded once per isolate every few seconds instead of once
 * per request. A bump in this isolate forgets the entries depending on its generations.
 */
export class MemoryTier {
  private readonly map = new Map<string, { json: string; at: number; gens: string[] }>();
  constructor(private readonly maxEntries = 512) {}

  get size(): number {
    return this.map.size;
  }

  /**
   * `everyMs`: keep an entry younger than this instead of replacing it (a hot key's hits would
   * otherwise retire a ~17 KB string each, feeding the runtime's major GCs for a value that is
   * read only while Redis fails).
   */
  put(key: string, json: string, at: number, gens: string[], everyMs = 0): void {
    if (everyMs > 0) {
      const e = this.map.get(key);
      if (e && at - e.at < everyMs) return;
    }
    this.map.delete(key);
    this.map.set(key, { json, at, gens });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  get(key: string, now: number, maxAgeMs: number): string | undefined {
    const e = this.map.get(key);
    if (!e || now - e.at > maxAgeMs) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.json;
  }

  forget(gens: string[]): void {
    for (const [k, e] of this.map) if (e.gens.some((g) => gens.includes(g))) this.map.delete(k);
  }
}

/** While Redis fails: a remembered value this young is served as if cached. */
export const MEMORY_FRESH_MS = 10_000;
/** A Redis hit refreshes the remembered value at most this often. */
export const MEMORY_REFRESH_MS = 1000;
/** While Redis fails and the family's loads are all busy: a remembered value this old beats a 503. */
export const MEMORY_STALE_MS = 5 * 60_000;
/** Read-through loads per key family per isolate while Redis fails; a few more may wait briefly. */
export const LOADS_PER_FAMILY = 4;

const memory = new MemoryTier();
const loadGates = new Map<string, Bulkhead>();
const loadGate = (family: string) => {
  let g = loadGates.get(family);
  if (!g) loadGates.set(family, (g = new Bulkhead({ limit: () => LOADS_PER_FAMILY, maxQueue: 16, maxWaitMs: 100, leaseMs: 30_000 })));
  return g;
};

const noStats: CacheStats = { hit() {}, miss() {}, error() {}, load() {} };

function parseEntry<T>(stored: string): T {
  return JSON.parse(stored.slice(stored.indexOf('|') + 1)) as T;
}

export class Cache {
  private readonly stats: CacheStats;
  private readonly defer: (p: Promise<unknown>) => void;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    deps: CacheDeps = {},
  ) {
    this.stats = deps.stats ?? noStats;
    this.defer = deps.defer ?? ((p) => void p);
    this.now = deps.now ?? Date.now;
    this.memory = deps.memory ?? memory;
    this.gate = deps.loadGate ?? loadGate;
  }

  private readonly memory: MemoryTier;
  private readonly gate: (family: string) => Bulkhead;

  /**
   * Redis cannot answer: a recent remembered value, else a load from Postgres within the
   * family's bulkhead, else an older remembered value, else 503 — never a stampede.
   */
  private async readThrough<T>(opts: CacheOptions<T>): Promise<T> {
    const now = this.now();
    const recent = this.memory.get(opts.key, now, MEMORY_FRESH_MS);
    if (recent !== undefined) return JSON.parse(recent) as T;
    const permit = await this.gate(opts.family).acquire();
    if (!permit) {
      const old = this.memory.get(opts.key, now, MEMORY_STALE_MS);
      if (old !== undefined) return JSON.parse(old) as T;
      throw overloaded(opts.family);
    }
    try {
      this.stats.load(opts.family);
      const value = await opts.load();
      this.memory.put(opts.key, JSON.stringify(value), this.now(), opts.gens);
      return value;
    } finally {
      permit.release();
    }
  }

  private charge: BucketCharge | undefined;

  /**
   * The next `getOrLoad` also charges this token bucket, in the same round trip, and settles
   * it before loading anything (undefined: drop a charge no read took). The Cache lives as long
   * as its request, so this is that request's rate-limit hit.
   */
  chargeNextRead(charge: BucketCharge | undefined): void {
    this.charge = charge;
  }

  async getOrLoad<T>(opts: CacheOptions<T>): Promise<T> {
    const { family } = opts;
    const charge = this.charge;
    this.charge = undefined;
    let full: string;
    let stored: string;
    let claimed: boolean;
    let bucket: BucketAnswer | undefined;
    try {
      const read = [opts.key, String(this.now()), String(LOCK_MS)];
      // Charged, the read also takes a rate limit's time budget (twice a read's): a limit that times out fails open.
      const [f, s, c, remaining, reset, limit] = await redisCall(
        () =>
          charge
            ? scriptOf<ReadAnswer>(this.redis, CHARGED_READ_SCRIPT).exec(
                [charge.key, ...opts.gens],
                [...read, String(charge.maxTokens), String(charge.intervalMs), String(charge.refillRate)],
              )
            : scriptOf<ReadAnswer>(this.redis, READ_SCRIPT).exec(opts.gens, read),
        'cache read',
        redisBudget(this.redis, charge ? 2 : 1),
      );
      [full, stored, claimed] = [f, s, Number(c) === 1];
      if (charge) bucket = { remaining: Number(remaining), reset: Number(reset), limit: Number(limit) };
    } catch (err) {
      // Redis unavailable: the rate limit decides how it fails (a throw refuses the request),
      // then to Postgres, but bounded (see readThrough).
      charge?.settle({ error: err });
      this.stats.error(family);
      this.log.warn('cache unavailable, reading through', { family, ...errorFields(err) });
      return this.readThrough(opts);
    }
    // Over the limit: settle throws the refusal before anything is loaded.
    if (charge) charge.settle(bucket!);
    if (stored) {
      this.stats.hit(family);
      this.memory.put(opts.key, stored.slice(stored.indexOf('|') + 1), this.now(), opts.gens, MEMORY_REFRESH_MS);
      // Stale: this reader won the refresh; everyone (this reader included) gets the old value now.
      if (claimed)
        this.defer(this.fill(full, opts, true).catch((err) => this.log.warn('cache refresh failed', { family, ...errorFields(err) })));
      return parseEntry<T>(stored);
    }
    this.stats.miss(family);
    if (!claimed) {
      // Someone else is computing it: wait for their value rather than hitting Postgres too.
      const waited = await this.waitFor<T>(full, family);
      if (waited !== undefined) return waited;
    }
    return this.fill(full, opts, claimed);
  }

  private async waitFor<T>(full: string, family: string): Promise<T | undefined> {
    for (let i = 0; i < WAIT_STEPS; i++) {
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
      try {
        const v = await redisCall(() => this.redis.get<string>(full), 'cache wait', redisBudget(this.redis));
        if (v !== null && v !== undefined) {
          this.stats.hit(family);
          return parseEntry<T>(v);
        }
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Loads from Postgres and stores the value; releases the lock when this reader held it. */
  private async fill<T>(full: string, opts: CacheOptions<T>, locked: boolean): Promise<T> {
    this.stats.load(opts.family);
    const value = await opts.load();
    const freshUntil = this.now() + opts.ttlSec * 1000;
    const json = JSON.stringify(value);
    this.memory.put(opts.key, json, this.now(), opts.gens);
    const entry = `${freshUntil}|${json}`;
    const ex = opts.ttlSec + (opts.staleSec ?? opts.ttlSec * 10);
    try {
      await redisCall(
        (): Promise<unknown> =>
          locked
            ? scriptOf<number>(this.redis, FILL_SCRIPT).exec([full, `lock:${full}`], [entry, String(ex)])
            : this.redis.set(full, entry, { ex }),
        'cache set',
        redisBudget(this.redis),
      );
    } catch (err) {
      this.stats.error(opts.family);
      this.log.warn('cache write failed', { family: opts.family, ...errorFields(err) });
    }
    return value;
  }

  /** Makes every entry depending on these generations unreachable. */
  async bump(...gens: string[]): Promise<void> {
    if (!gens.length) return;
    this.memory.forget(gens);
    publicDataChanged();
    try {
      const sent: Promise<unknown> =
        gens.length === 1 ? this.redis.incr(gens[0]!) : gens.reduce((p, g) => p.incr(g), this.redis.pipeline()).exec();
      // Not through the breaker: an invalidation is always attempted.
      await withTimeout(sent, redisTimeoutMs(this.redis), 'cache bump');
    } catch (err) {
      // Entries still expire by TTL; log loudly since readers may see old data until then.
      this.log.error('cache invalidation failed', { gens, ...errorFields(err) });
    }
  }
}
