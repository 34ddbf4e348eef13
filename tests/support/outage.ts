/**
 * Stops and restarts the Redis behind the local Upstash endpoint, through the control
 * server of the test setup. Only `*.outage.test.ts` files may use it: their project runs
 * after all others, so an outage never leaks into unrelated tests running in parallel.
 */
import { env } from 'cloudflare:test';
import type { FaultRule, FaultStats } from '../../scripts/local/faults.ts';
import type { FaultTally } from '../global-setup.ts';

export async function redisControl(action: 'pause' | 'resume'): Promise<Response> {
  const url = (env as unknown as Record<string, string>).TEST_CONTROL_URL;
  return fetch(`${url}/redis/${action}`, { method: 'POST' });
}

/** Which local endpoint a fault goes to: the Neon endpoint (Postgres) or the Upstash one (Redis). */
export type FaultTarget = 'neon' | 'upstash';

async function control(path: string, init: RequestInit): Promise<FaultStats> {
  const url = (env as unknown as Record<string, string>).TEST_CONTROL_URL;
  const res = await fetch(`${url}${path}`, init);
  if (!res.ok) throw new Error(`fault control ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? { seen: 0, delayed: 0, errors: 0, drops: 0 } : ((await res.json()) as FaultStats);
}

/**
 * Sets the fault switch of one local endpoint (scripts/local/faults.ts), replacing its rules.
 * Like Redis pauses, only the fault suite (tests/faults, run after every other project and
 * alone) may use it.
 */
export const setFaults = (target: FaultTarget, rules: FaultRule | FaultRule[]) =>
  control(`/faults/${target}`, { method: 'POST', body: JSON.stringify(rules), headers: { 'content-type': 'application/json' } });
export const clearFaults = (target: FaultTarget) => control(`/faults/${target}`, { method: 'DELETE' });
export const faultStats = (target: FaultTarget) => control(`/faults/${target}`, { method: 'GET' });

/** Records one row of the fault suite's closing table (printed by the test setup at the end). */
export async function recordTally(tally: FaultTally): Promise<void> {
  await control('/faults/tally', { method: 'POST', body: JSON.stringify(tally), headers: { 'content-type': 'application/json' } });
}
