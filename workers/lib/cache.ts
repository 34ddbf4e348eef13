import type { Redis } from '@upstash/redis/cloudflare';
import type { Logger } from './logger.ts';
import { REDIS_TIMEOUT_MS } from './redis.ts';
import { withTimeout } from './timeout.ts';

/**
 * Cache-aside over Upstash with generation keys.
 *
 * A cached value lives under `<key>@<gen…>` where each gen is a counter the writers bump
 * after committing. A write therefore makes every older entry unreachable at once (lists
 * and searches have too many keys to delete one by one), and a reader that loaded old
 * rows while a write was committing stores them under the old generation, where nobody
 * looks any more: a read after a write never returns the old data.
 *
 * A cold key under a burst is computed once: the first reader takes a short lock, the
 * others wait for the value. Redis is never on the critical path: every call has a short
 * timeout, and when Redis is slow or down the loader runs against Postgres directly.
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
  ttlSec: number;
  load: () => Promise<T>;
}

export const LOCK_MS = 3000;
const WAIT_STEP_MS = 25;
const WAIT_STEPS = 40;

const noStats: CacheStats = { hit() {}, miss() {}, error() {}, load() {} };

export class Cache {
  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly stats: CacheStats = noStats,
  ) {}

  private call<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, REDIS_TIMEOUT_MS, what);
  }

  async getOrLoad<T>(opts: CacheOptions<T>): Promise<T> {
    const { family } = opts;
    let fullKey: string;
    try {
      const gens = opts.gens.length ? await this.call(this.redis.mget<(string | null)[]>(...opts.gens), 'cache gens') : [];
      fullKey = `c:${opts.key}@${gens.map((g) => g ?? '0').join('.')}`;
      const cached = await this.call(this.redis.get<string>(fullKey), 'cache get');
      if (cached !== null && cached !== undefined) {
        this.stats.hit(family);
        return JSON.parse(cached) as T;
      }
    } catch (err) {
      // Redis unavailable: straight to Postgres.
      this.stats.error(family);
      this.log.warn('cache unavailable, reading through', { family, err: String(err) });
      this.stats.load(family);
      return opts.load();
    }
    this.stats.miss(family);
    return this.fill(fullKey, opts);
  }

  private async fill<T>(fullKey: string, opts: CacheOptions<T>): Promise<T> {
    const lockKey = `lock:${fullKey}`;
    let locked = false;
    try {
      locked = (await this.call(this.redis.set(lockKey, '1', { nx: true, px: LOCK_MS }), 'cache lock')) === 'OK';
    } catch {
      locked = false;
    }
    if (!locked) {
      // Someone else is computing it: wait for their value rather than hitting Postgres too.
      for (let i = 0; i < WAIT_STEPS; i++) {
        await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
        try {
          const v = await this.call(this.redis.get<string>(fullKey), 'cache wait');
          if (v !== null && v !== undefined) {
            this.stats.hit(opts.family);
            return JSON.parse(v) as T;
          }
        } catch {
          break;
        }
      }
    }
    this.stats.load(opts.family);
    const value = await opts.load();
    try {
      await this.call(this.redis.set(fullKey, JSON.stringify(value), { ex: opts.ttlSec }), 'cache set');
      if (locked) await this.call(this.redis.del(lockKey), 'cache unlock');
    } catch (err) {
      this.stats.error(opts.family);
      this.log.warn('cache write failed', { family: opts.family, err: String(err) });
    }
    return value;
  }

  /** Makes every entry depending on these generations unreachable. */
  async bump(...gens: string[]): Promise<void> {
    if (!gens.length) return;
    try {
      const p = this.redis.pipeline();
      for (const g of gens) p.incr(g);
      await this.call(p.exec(), 'cache bump');
    } catch (err) {
      // Entries still expire by TTL; log loudly since readers may see old data until then.
      this.log.error('cache invalidation failed', { gens, err: String(err) });
    }
  }
}
