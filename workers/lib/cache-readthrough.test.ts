import type { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { Bulkhead } from './admission.ts';
import { Cache, MEMORY_FRESH_MS, MemoryTier } from './cache.ts';
import { AppError } from './errors.ts';
import { createLogger } from './logger.ts';
import { publicDataVersion } from './public-version.ts';

/** A Redis that fails every call, as during an outage (or with the breaker open). */
const downRedis = {
  createScript: () => ({ exec: () => Promise.reject(new Error('connection refused')) }),
  get: () => Promise.reject(new Error('connection refused')),
  pipeline: () => ({ set() {}, del() {}, incr() {}, exec: () => Promise.reject(new Error('connection refused')) }),
} as unknown as Redis;

function rig(loadsPerFamily = 2) {
  let t = 0;
  const memory = new MemoryTier(100);
  const gates = new Map<string, Bulkhead>();
  const gate = (f: string) => {
    if (!gates.has(f))
      gates.set(
        f,
        new Bulkhead({
          limit: () => loadsPerFamily,
          maxQueue: 0,
          maxWaitMs: 0,
          leaseMs: 30_000,
          clock: { now: () => t, setTimeout: () => 0, clearTimeout: () => {} },
        }),
      );
    return gates.get(f)!;
  };
  const cache = new Cache(downRedis, createLogger({}, 'error'), { now: () => t, memory, loadGate: gate });
  let loads = 0;
  const pending: (() => void)[] = [];
  const slowLoad = () =>
    new Promise<{ v: number }>((resolve) => {
      const n = ++loads;
      pending.push(() => resolve({ v: n }));
    });
  const read = (key = 'k', load = slowLoad) => cache.getOrLoad({ family: 'course', key, gens: ['g:catalog'], ttlSec: 60, load });
  return {
    cache,
    read,
    loads: () => loads,
    finish: () => {
      for (const f of pending.splice(0)) f();
    },
    advance: (ms: number) => (t += ms),
    memory,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('read-through while Redis fails (fake clock)', () => {
  it('at most N concurrent loads per family; the rest are refused with 503 overloaded when nothing is remembered', async () => {
    const r = rig(2);
    const a = r.read('a');
    const b = r.read('b');
    await tick();
    expect(r.loads()).toBe(2);
    const c = r.read('c');
    await expect(c).rejects.toBeInstanceOf(AppError);
    await expect(c).rejects.toMatchObject({ code: 'overloaded', status: 503, headers: { 'Retry-After': '1' } });
    expect(r.loads()).toBe(2);
    r.finish();
    expect(await a).toEqual({ v: 1 });
    expect(await b).toEqual({ v: 2 });
  });

  it('a loaded value is remembered: the next reads of the key do not reach Postgres while it is fresh', async () => {
    const r = rig(2);
    const first = r.read();
    await tick();
    r.finish();
    await first;
    r.advance(MEMORY_FRESH_MS);
    expect(await r.read()).toEqual({ v: 1 });
    expect(r.loads()).toBe(1);
    // Older than that, it is loaded again.
    r.advance(1);
    const again = r.read();
    await tick();
    expect(r.loads()).toBe(2);
    r.finish();
    expect(await again).toEqual({ v: 2 });
  });

  it('with every load slot busy, an older remembered value is served instead of a 503', async () => {
    const r = rig(1);
    const first = r.read('hot');
    await tick();
    r.finish();
    await first;
    r.advance(MEMORY_FRESH_MS + 1);
    const busy = r.read('other');
    await tick();
    expect(await r.read('hot')).toEqual({ v: 1 });
    r.finish();
    await busy;
  });

  it('a bump in this isolate forgets what depended on the bumped generation', async () => {
    const r = rig(2);
    const first = r.read();
    await tick();
    r.finish();
    await first;
    const version = publicDataVersion();
    await r.cache.bump('g:catalog');
    expect(r.memory.size).toBe(0);
    // …and the isolate's hot copies of public answers (lib/admission-gate.ts) are no longer reused.
    expect(publicDataVersion()).toBeGreaterThan(version);
  });
});

describe('the memory tier', () => {
  it('with `everyMs`, keeps an entry younger than that instead of replacing it; replaces it after', () => {
    const m = new MemoryTier(10);
    m.put('k', '"first"', 0, ['g']);
    m.put('k', '"second"', 999, ['g'], 1000);
    expect(m.get('k', 999, MEMORY_FRESH_MS)).toBe('"first"');
    m.put('k', '"third"', 1000, ['g'], 1000);
    expect(m.get('k', 1000, MEMORY_FRESH_MS)).toBe('"third"');
    // Without it (loads), the newest value always wins.
    m.put('k', '"fourth"', 1001, ['g']);
    expect(m.get('k', 1001, MEMORY_FRESH_MS)).toBe('"fourth"');
  });
});
