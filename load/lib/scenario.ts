import type pg from 'pg';
import type { LoadClient, Outcome, RequestSpec } from './client.ts';
import type { Rng } from './rng.ts';

/** What a scenario gets to prepare its state: the seeded database and an unrecorded client. */
export interface SetupContext {
  baseUrl: string;
  /** Direct Postgres access, to pick ids from the seeded data. */
  db: pg.Pool;
  /** For logins and other setup requests; not part of any measurement. */
  client: LoadClient;
  rng: Rng;
  /** Smoke runs: small samples, few logins. */
  smoke: boolean;
  /** A distinct client address per simulated visitor (per-IP rate limits see many visitors, as in production). */
  ip(n: number): string;
  log(line: string): void;
}

/** One kind of request in a scenario's mix. `endpoint` is `METHOD /route/:pattern`. */
export interface MixEntry<S> {
  endpoint: string;
  weight: number;
  /** The request for one arrival; null when the state has nothing to ask for (counted as skipped). */
  build(state: S, rng: Rng): Omit<RequestSpec, 'endpoint' | 'method'> | null;
  ok?: (status: number) => boolean;
}

export interface FlowContext<S> {
  state: S;
  rng: Rng;
  /** Sends one request of the flow; its latency counts from the moment the flow asks (after think time). */
  send(spec: RequestSpec): Promise<Outcome>;
  /** Waits one think time. */
  think(): Promise<void>;
  /** Waits a fixed time (polling); like think, the next request is due after it. */
  wait(ms: number): Promise<void>;
  /** Records a measurement that is not one request (e.g. a job's time from queued to ready). */
  record(endpoint: string, latencyMs: number, ok: boolean, status?: number | 'timeout'): void;
  /** The load generator's clock (ms). */
  now(): number;
}

/** What `Scenario.during` gets: the measured window's recorder and its end. */
export interface DuringContext<S> {
  state: S;
  rng: Rng;
  /** Records a measurement that is not one of the generator's requests (see FlowContext.record). */
  record(endpoint: string, latencyMs: number, ok: boolean, status?: number | 'timeout'): void;
  /** The load generator's clock (ms). */
  now(): number;
  /** Aborted when the measured window ends: finish the step in hand and return. */
  signal: AbortSignal;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Scenario<S = unknown> {
  name: string;
  title: string;
  description: string;
  /** Mean pause between one user's requests; sessions use it, reports turn it into a user count. */
  thinkTimeMs: number;
  setup(ctx: SetupContext): Promise<S>;
  /** Weighted request mix (the open model of requests, and sessions built from it). */
  mix?: MixEntry<S>[];
  /** A dependent sequence of requests (one user's visit) for the open model of sessions. */
  flow?(ctx: FlowContext<S>): Promise<void>;
  /**
   * Work beside the generator's arrivals for exactly the measured window (e.g. writes whose
   * effect is timed on sockets the scenario holds open); awaited before the result is made.
   */
  during?(ctx: DuringContext<S>): Promise<void>;
  /** Requests sent (unrecorded) before measuring, e.g. to warm caches. */
  warmup?(state: S, rng: Rng): RequestSpec[];
  /**
   * Server routes (`METHOD /route`) the scenario reaches outside the generator's recorded requests —
   * WebSocket upgrades, a host's control calls — left out when the server's count is compared with ours.
   */
  uncountedRoutes?: string[];
  /** Checks after the run: no lost or duplicated rows, and the like. */
  verify?(state: S, outcomes: Outcome[], db: pg.Pool): Promise<Check[]>;
  /** Whether `verify` needs every outcome kept (memory). */
  keepOutcomes?: boolean;
  /** Why the scenario cannot run yet (a capability not built), decided after setup. */
  unavailable?(state: S): string | undefined;
}

/** `GET /api/courses/:id` → ['GET', '/api/courses/:id']. */
export function splitEndpoint(endpoint: string): [method: string, route: string] {
  const i = endpoint.indexOf(' ');
  return [endpoint.slice(0, i), endpoint.slice(i + 1)];
}

/** Hono's `/api/courses/:id` as the OpenAPI document writes it: `/api/courses/{id}`. */
export const openApiPath = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
