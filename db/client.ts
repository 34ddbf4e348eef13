import { neon, neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle as drizzleHttp, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import { drizzle as drizzleWs, type NeonDatabase } from 'drizzle-orm/neon-serverless';
import { Bulkhead } from '../workers/lib/admission.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** Single statements and non-interactive batches over HTTP (one round trip each). */
export type HttpDb = NeonHttpDatabase<Schema>;
/** An interactive transaction over the WebSocket driver. */
export type Tx = Parameters<Parameters<NeonDatabase<Schema>['transaction']>[0]>[0];

export interface Database {
  /** Primary, for writes and read-your-writes. */
  readonly db: HttpDb;
  /** Read replica when configured, else the primary. */
  readonly read: HttpDb;
  /** Runs `fn` in one interactive transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface DatabaseOptions {
  url: string;
  readUrl?: string;
  /** Local only: the SQL-over-HTTP endpoint standing in for Neon's. */
  httpEndpoint?: string;
  /** Local only: host:port/path of the WebSocket-to-TCP proxy standing in for Neon's. */
  wsProxy?: string;
  /** Called with every SQL statement sent (statement counting in tests, metrics). */
  onQuery?: (sql: string, params: unknown[]) => void;
  /** Postgres cancels a statement running longer than this (default STATEMENT_TIMEOUT_MS; 0: never). */
  statementTimeoutMs?: number;
}

let localConfigured = '';

/**
 * Points the Neon driver at the local endpoints. neonConfig is the driver's own global,
 * so this is set once per isolate; production leaves it untouched.
 */
function configureLocal(httpEndpoint: string | undefined, wsProxy: string | undefined) {
  const key = `${httpEndpoint}|${wsProxy}`;
  if (localConfigured === key || (!httpEndpoint && !wsProxy)) return;
  localConfigured = key;
  if (httpEndpoint) neonConfig.fetchEndpoint = () => httpEndpoint;
  if (wsProxy) {
    // The string form makes the driver append ?address=host:port (a function's result is used as is).
    neonConfig.wsProxy = wsProxy;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

/** Postgres round trips over HTTP in flight per isolate, at most; more wait briefly, then fail as unavailable. */
export const MAX_DB_INFLIGHT = 32;
/**
 * Waiting for a slot: a short queue and a short wait. A request that waits seconds for a slot is
 * past every latency budget anyway, and a long queue is what kept the isolate busy for ~18 s after
 * an overload ended (docs/capacity.md §7): better a prompt 503 than a slot granted too late.
 */
export const DB_QUEUE = 32;
export const DB_WAIT_MS = 250;
/** A request-path round trip abandoned after this: the caller answers 503 instead of waiting on. */
export const DB_CALL_DEADLINE_MS = 5000;
/**
 * Postgres itself cancels a statement after this — below the client's deadline, so a query the
 * caller gave up on does not run on for tens of seconds (issue 15 saw 40 s) taking a backend and
 * CPU from the queries that still have a caller.
 */
export const STATEMENT_TIMEOUT_MS = 4000;

/** Carried in the driver's fetchOptions (neon() spreads them into the fetch init) to the bounded fetch below. */
interface TimeoutInit extends RequestInit {
  sabaqStatementTimeoutMs?: number;
}

/**
 * Runs one SQL-over-HTTP request with a statement timeout: the body becomes a batch (one
 * transaction, still one round trip) whose first statement sets `statement_timeout` for that
 * transaction only (`set_config(…, true)` is SET LOCAL), and the answer loses that statement's
 * result again. Neon's HTTP API takes no session options, but it runs batches in a transaction —
 * and so does the local endpoint, which therefore honours it as Postgres does. Errors (400
 * `{message, code}`; a timeout is 57014) pass through unchanged.
 */
async function withStatementTimeout(fetchFn: typeof fetch, input: RequestInfo | URL, init: RequestInit, ms: number): Promise<Response> {
  // Built as text, not parsed and re-serialised: the driver sends `{"query":…,"params":[…]}` for
  // one statement and `{"queries":[…]}` for a batch (its prepareQuery), and this runs on every
  // round trip of every request.
  const body = init.body as string;
  const set = `{"query":"select set_config('statement_timeout', $1, true)","params":["${Math.trunc(ms)}"]}`;
  const isBatch = body.startsWith(BATCH_PREFIX);
  const rest = isBatch ? body.slice(BATCH_PREFIX.length) : `${body}]}`;
  const batched = `${BATCH_PREFIX}${set}${rest.startsWith(']') ? '' : ','}${rest}`;
  const res = await fetchFn(input, { ...init, body: batched });
  if (!res.ok) return res;
  const out = (await res.json()) as { results: unknown[] };
  const answer = isBatch ? { results: out.results.slice(1) } : out.results[1];
  // The driver reads `ok`, `status` and `json()` of a successful answer: hand it the parsed
  // value instead of serialising it again for a second parse.
  return {
    ok: true,
    status: res.status,
    headers: res.headers,
    json: async () => answer,
    text: async () => JSON.stringify(answer),
  } as Response;
}

const BATCH_PREFIX = '{"queries":[';

/** Raised when the isolate's Postgres slots stay full: treated like an unreachable database (503). */
export class DatabaseBusyError extends Error {
  readonly code = '53300';
  constructor() {
    super('too many Postgres round trips in flight in this isolate');
    this.name = 'DatabaseBusyError';
  }
}

let boundedInstalled = false;

/**
 * Bounds the Neon HTTP driver's round trips per isolate (its fetchFunction: a driver-wide
 * setting, so once per isolate; an existing hook is wrapped): at most MAX_DB_INFLIGHT sockets,
 * a bounded queue, and a deadline per round trip — so an overloaded Postgres cannot collect
 * an unbounded number of sockets and waiting requests.
 */
function installBoundedFetch() {
  if (boundedInstalled) return;
  boundedInstalled = true;
  const inner = (neonConfig.fetchFunction as typeof fetch | undefined) ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const slots = new Bulkhead({ limit: () => MAX_DB_INFLIGHT, maxQueue: DB_QUEUE, maxWaitMs: DB_WAIT_MS, leaseMs: DB_CALL_DEADLINE_MS * 2 });
  neonConfig.fetchFunction = async (input: RequestInfo | URL, init?: TimeoutInit) => {
    const permit = await slots.acquire();
    if (!permit) throw new DatabaseBusyError();
    try {
      const { sabaqStatementTimeoutMs: timeoutMs, ...rest } = init ?? {};
      const bounded = { ...rest, signal: rest.signal ?? AbortSignal.timeout(DB_CALL_DEADLINE_MS) };
      if (timeoutMs && typeof bounded.body === 'string') return await withStatementTimeout(inner, input, bounded, timeoutMs);
      return await inner(input, bounded);
    } finally {
      permit.release();
    }
  };
}

/**
 * Drizzle's neon-http session logs single statements but not the statements of a batch: with
 * `onQuery` set (statement counting in tests) each statement of a batch is reported too, built
 * the way the session builds it.
 */
function logBatches(db: HttpDb, onQuery: DatabaseOptions['onQuery']): HttpDb {
  if (!onQuery) return db;
  const batch = db.batch.bind(db);
  db.batch = ((queries: Parameters<HttpDb['batch']>[0]) => {
    for (const q of queries) {
      const built = (q as unknown as { _prepare(): { getQuery(): { sql: string; params: unknown[] } } })._prepare().getQuery();
      onQuery(built.sql, built.params);
    }
    return batch(queries);
  }) as unknown as HttpDb['batch'];
  return db;
}

/**
 * Clients per isolate, by their options: they hold no connection (each HTTP query is its own
 * fetch, each transaction its own pool), and building one — drizzle walks the whole schema for
 * its relational config — cost more CPU than the rest of a small request.
 */
const clients = new Map<string, Database>();

export function createDatabase(opts: DatabaseOptions): Database {
  // Statement logging is per caller (tests count statements): those clients are never shared.
  if (opts.onQuery) return buildDatabase(opts);
  const key = JSON.stringify([opts.url, opts.readUrl, opts.httpEndpoint, opts.wsProxy, opts.statementTimeoutMs]);
  let db = clients.get(key);
  if (!db) clients.set(key, (db = buildDatabase(opts)));
  return db;
}

function buildDatabase(opts: DatabaseOptions): Database {
  configureLocal(opts.httpEndpoint, opts.wsProxy);
  installBoundedFetch();
  const logger = opts.onQuery ? { logQuery: (query: string, params: unknown[]) => opts.onQuery!(query, params) } : undefined;
  const timeoutMs = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const fetchOptions: TimeoutInit = { sabaqStatementTimeoutMs: timeoutMs };
  const db = logBatches(drizzleHttp({ client: neon(opts.url, { fetchOptions }), schema, logger }), opts.onQuery);
  const read = opts.readUrl ? logBatches(drizzleHttp({ client: neon(opts.readUrl, { fetchOptions }), schema, logger }), opts.onQuery) : db;
  return {
    db,
    read,
    async transaction(fn) {
      // A WebSocket connection cannot outlive the request in Workers: one pool per call.
      // statement_timeout as a startup parameter of the connection: Postgres applies it to every
      // statement of the transaction.
      const pool = new Pool({ connectionString: opts.url, max: 1, ...(timeoutMs ? { statement_timeout: timeoutMs } : {}) });
      // After end() the driver may still emit a late "connection lost" from the closed
      // socket; without a listener that surfaces as an uncaught exception. Query errors
      // reach the caller through the transaction's promise, not this event.
      pool.on('error', () => {});
      try {
        return await drizzleWs({ client: pool, schema, logger }).transaction(fn);
      } finally {
        await pool.end();
      }
    },
  };
}

/** An error and what it wraps (drizzle's `cause`, the Neon driver's `sourceError`), a few levels deep. */
function* causes(err: unknown): Generator<unknown> {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    yield e;
    e = (e as { sourceError?: unknown }).sourceError ?? (e as { cause?: unknown }).cause;
  }
}

/** True when the error (or what it wraps) is this isolate's own bulkhead refusing a round trip. */
export function isDatabaseBusy(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof DatabaseBusyError) return true;
  return false;
}

/** True for errors that mean "the database cannot be reached", answered 503, not 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    // 57014: cancelled by statement_timeout — the database is too slow right now, as with the rest.
    if (
      typeof code === 'string' &&
      (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '57014' || code === '53300' || code === 'ECONNREFUSED')
    )
      return true;
    const msg = e instanceof Error ? e.message : '';
    // "not queryable": the WebSocket driver's answer once its connection broke, e.g. to the
    // ROLLBACK that follows a connection cut mid-transaction (tests/faults/postgres.test.ts).
    if (
      /fetch failed|ECONNREFUSED|Network connection lost|connect(ion)? (refused|timeout|terminated)|WebSocket|is not queryable|TimeoutError|aborted due to timeout/i.test(
        msg,
      )
    )
      return true;
  }
  return false;
}
