/** Seeded pseudo-randomness for load scenarios: the same seed replays the same request mix. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Exponentially distributed with the given mean (think times, Poisson gaps). */
  exp(mean: number): number;
  /** Index in [0, n) skewed towards 0 (a few popular items, a long tail), Zipf-like with exponent s. */
  zipf(n: number, s?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast, good enough for picking requests. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    exp: (mean) => -mean * Math.log(1 - next()),
    // Inverse-CDF of a continuous power law on [1, n+1): cheap and close to Zipf for ranking.
    zipf: (n, s = 1.1) => {
      if (n <= 1) return 0;
      const u = next();
      const x = s === 1 ? Math.exp(u * Math.log(n + 1)) : (1 + u * ((n + 1) ** (1 - s) - 1)) ** (1 / (1 - s));
      return Math.min(n - 1, Math.max(0, Math.floor(x) - 1));
    },
    chance: (p) => next() < p,
  };
}

export interface Weighted<T> {
  weight: number;
  item: T;
}

/** Picks by weight; weights need not sum to 1. */
export function weightedPicker<T>(entries: Weighted<T>[]): (rng: Rng) => T {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  if (!(total > 0)) throw new Error('weights must add up to more than 0');
  const cumulative: number[] = [];
  let acc = 0;
  for (const e of entries) cumulative.push((acc += e.weight / total));
  return (rng) => {
    const u = rng.next();
    for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return entries[i]!.item;
    return entries[entries.length - 1]!.item;
  };
}
