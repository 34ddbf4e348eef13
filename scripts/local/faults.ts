/**
 * Fault injection for the local Neon and Upstash endpoints: added latency, errors and cut
 * connections for a share of calls. It lives only in these local stand-ins (the Worker has no
 * switch of its own), so production, which talks to the real Neon and Upstash, cannot turn it on.
 *
 * Off unless asked: by the test control server (tests/global-setup.ts) or, for `npm start`, by
 * the environment — `SABAQ_NEON_FAULTS` / `SABAQ_UPSTASH_FAULTS` holding a JSON rule or list of rules.
 */

export interface FaultRule {
  /** Case-insensitive regular expression tested on the call (SQL text, or the Redis command line); every call when absent. */
  match?: string;
  /** Share of matching calls affected, 0..1 (default 1). */
  probability?: number;
  /** Added before the call is served (on its own, or before the failure). */
  latencyMs?: number;
  /**
   * `error`: answered as the service itself answers when its backend is gone (Neon: Postgres
   * error 57P01 "terminating connection"; Upstash: HTTP 503). `drop`: the connection is cut
   * without an answer (for the WebSocket proxy: the tunnel mid-transaction).
   */
  fail?: 'error' | 'drop';
  /** The rule retires after this many hits (default: never). */
  times?: number;
}

export interface FaultDecision {
  latencyMs: number;
  fail?: 'error' | 'drop';
}

export interface FaultStats {
  /** Calls looked at while at least one rule was set. */
  seen: number;
  delayed: number;
  errors: number;
  drops: number;
}

const MAX_LATENCY_MS = 60_000;

/** Validates rules from JSON (control endpoint or environment); throws naming the bad field. */
export function parseFaultRules(input: unknown): FaultRule[] {
  const list = Array.isArray(input) ? input : input === null || input === undefined ? [] : [input];
  return list.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`fault rule ${i}: expected an object`);
    const r = raw as Record<string, unknown>;
    const rule: FaultRule = {};
    if (r.match !== undefined) {
      if (typeof r.match !== 'string') throw new Error(`fault rule ${i}: match must be a string`);
      new RegExp(r.match, 'i'); // throws on a bad pattern
      rule.match = r.match;
    }
    if (r.probability !== undefined) {
      if (typeof r.probability !== 'number' || !(r.probability >= 0 && r.probability <= 1))
        throw new Error(`fault rule ${i}: probability must be within 0..1`);
      rule.probability = r.probability;
    }
    if (r.latencyMs !== undefined) {
      if (typeof r.latencyMs !== 'number' || !(r.latencyMs >= 0 && r.latencyMs <= MAX_LATENCY_MS))
        throw new Error(`fault rule ${i}: latencyMs must be within 0..${MAX_LATENCY_MS}`);
      rule.latencyMs = r.latencyMs;
    }
    if (r.fail !== undefined) {
      if (r.fail !== 'error' && r.fail !== 'drop') throw new Error(`fault rule ${i}: fail must be "error" or "drop"`);
      rule.fail = r.fail;
    }
    if (r.times !== undefined) {
      if (!Number.isInteger(r.times) || (r.times as number) < 1) throw new Error(`fault rule ${i}: times must be a positive integer`);
      rule.times = r.times as number;
    }
    if (rule.latencyMs === undefined && rule.fail === undefined) throw new Error(`fault rule ${i}: set latencyMs, fail or both`);
    return rule;
  });
}

/** Reads a rule list from an environment variable; empty or unset means no faults. */
export function faultRulesFromEnv(name: string, env: Record<string, string | undefined> = process.env): FaultRule[] {
  const text = env[name]?.trim();
  if (!text) return [];
  try {
    return parseFaultRules(JSON.parse(text));
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface ActiveRule extends FaultRule {
  pattern?: RegExp;
  hits: number;
}

/** The switch one endpoint consults per call; the first matching rule that fires decides. */
export class FaultSwitch {
  private rules: ActiveRule[] = [];
  private counters: FaultStats = { seen: 0, delayed: 0, errors: 0, drops: 0 };

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  /** Replaces the rules and zeroes the counters. */
  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, pattern: r.match ? new RegExp(r.match, 'i') : undefined, hits: 0 }));
    this.counters = { seen: 0, delayed: 0, errors: 0, drops: 0 };
  }

  clear(): void {
    this.set([]);
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  stats(): FaultStats {
    return { ...this.counters };
  }

  /** What to do with one call described by `text`; `undefined` when it passes untouched. */
  decide(text: string): FaultDecision | undefined {
    if (!this.rules.length) return undefined;
    this.counters.seen++;
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.pattern && !rule.pattern.test(text)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.hits++;
      const decision: FaultDecision = { latencyMs: rule.latencyMs ?? 0 };
      if (rule.fail) decision.fail = rule.fail;
      if (decision.latencyMs > 0) this.counters.delayed++;
      if (rule.fail === 'error') this.counters.errors++;
      if (rule.fail === 'drop') this.counters.drops++;
      return decision;
    }
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
