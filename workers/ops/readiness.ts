import { sql } from 'drizzle-orm';
import type { Services } from '../lib/services.ts';
import { withTimeout } from '../lib/timeout.ts';

export interface DependencyCheck {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  ok: boolean;
  checks: { postgres: DependencyCheck; redis: DependencyCheck };
}

/** Budget per dependency; the probe answers within ~1 s even when both hang. */
export const READY_TIMEOUT_MS = 1000;

async function probe(what: string, fn: () => Promise<unknown>): Promise<DependencyCheck> {
  const started = Date.now();
  try {
    await withTimeout(fn(), READY_TIMEOUT_MS, what);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    return { ok: false, latencyMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Checks Postgres and Redis in parallel, each with a short timeout. */
export async function checkReadiness(services: Services): Promise<Readiness> {
  const [postgres, redis] = await Promise.all([
    probe('postgres', () => services.db.db.execute(sql`select 1`)),
    probe('redis', async () => {
      const pong = await services.redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply ${String(pong)}`);
    }),
  ]);
  return { ok: postgres.ok && redis.ok, checks: { postgres, redis } };
}
