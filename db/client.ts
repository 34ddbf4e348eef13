import { neon, neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle as drizzleHttp, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import { drizzle as drizzleWs, type NeonDatabase } from 'drizzle-orm/neon-serverless';
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

export function createDatabase(opts: DatabaseOptions): Database {
  configureLocal(opts.httpEndpoint, opts.wsProxy);
  const logger = opts.onQuery ? { logQuery: (query: string, params: unknown[]) => opts.onQuery!(query, params) } : undefined;
  const db = drizzleHttp({ client: neon(opts.url), schema, logger });
  const read = opts.readUrl ? drizzleHttp({ client: neon(opts.readUrl), schema, logger }) : db;
  return {
    db,
    read,
    async transaction(fn) {
      // A WebSocket connection cannot outlive the request in Workers: one pool per call.
      const pool = new Pool({ connectionString: opts.url, max: 1 });
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

/** True for errors that mean "the database cannot be reached", answered 503, not 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === 'ECONNREFUSED')) return true;
    const msg = e instanceof Error ? e.message : '';
    // "not queryable": the WebSocket driver's answer once its connection broke, e.g. to the
    // ROLLBACK that follows a connection cut mid-transaction (tests/faults/postgres.test.ts).
    if (/fetch failed|ECONNREFUSED|Network connection lost|connect(ion)? (refused|timeout|terminated)|WebSocket|is not queryable/i.test(msg)) return true;
    e = (e as { cause?: unknown; sourceError?: unknown }).sourceError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
