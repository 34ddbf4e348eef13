/**
 * A local stand-in for Neon's serverless endpoints, so the unchanged `@neondatabase/serverless`
 * driver (as used inside the Worker) can talk to a local, real Postgres:
 *
 * - `POST /sql`: Neon's SQL-over-HTTP protocol (`neon()`, `drizzle-orm/neon-http`), served from
 *   one `pg.Pool` per distinct `Neon-Connection-String`.
 * - `GET /v1?address=host:port` (WebSocket upgrade): Neon's wsproxy protocol (`Pool`/`Client`,
 *   `drizzle-orm/neon-serverless`): raw Postgres wire bytes in binary frames, piped to TCP.
 *
 * Behaviour follows Neon's proxy (proxy/src/serverless/sql_over_http.rs and json.rs): extended
 * query protocol for every statement, text-format values, `{fields, rows, command, rowCount}`
 * results, batches in one transaction, Postgres errors as HTTP 400 with the DbError fields.
 *
 * Targets are restricted to loopback addresses: this is a dev/test tool, never a general proxy.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, connect as tcpConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { sleep, type FaultSwitch } from './faults.ts';

export interface NeonEndpointOptions {
  /** Port to listen on; 0 or unset picks a free one. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  log?: (s: string) => void;
  /** Max Postgres connections per distinct connection string (default 10). */
  poolSize?: number;
  /** Injected latency, errors and cut connections (scripts/local/faults.ts); none when absent. */
  faults?: FaultSwitch;
}

export interface NeonEndpoint {
  port: number;
  /** value for neonConfig.fetchEndpoint (full URL of the SQL-over-HTTP route, e.g. http://127.0.0.1:PORT/sql) */
  httpEndpoint: string;
  /** value for neonConfig.wsProxy: host:port/path WITHOUT scheme, to which the driver appends ?address=host:port, e.g. 127.0.0.1:PORT/v1 */
  wsProxy: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Target restriction
// ---------------------------------------------------------------------------------------------

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * True for `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.0.0.1`).
 * Other names are refused without being resolved, so no lookup or connection ever leaves the machine.
 * `0.0.0.0`/`::` are refused too: on Linux connecting to them reaches local services, but they are
 * not what a connection string for a local database should contain.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === 'localhost') return true;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  const family = isIP(h);
  if (family === 4) return loopback.check(h, 'ipv4');
  if (family === 6) return loopback.check(h, 'ipv6');
  return false;
}

/** Parses wsproxy's `address=host:port` (host may be a bracketed or bare IPv6 literal). */
export function parseAddress(address: string | null): { host: string; port: number } | undefined {
  if (!address) return undefined;
  const i = address.lastIndexOf(':');
  if (i <= 0) return undefined;
  let host = address.slice(0, i);
  const portText = address.slice(i + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host ? { host, port } : undefined;
}

// ---------------------------------------------------------------------------------------------
// SQL over HTTP
// ---------------------------------------------------------------------------------------------

interface QueryData {
  query: string;
  params?: unknown[];
  /** Per-query override of the Neon-Array-Mode header (Neon accepts it; the JS driver never sends it). */
  arrayMode?: boolean;
}

interface FieldJson {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: 'text';
}

interface ResultJson {
  rowAsArray: boolean;
  fields: FieldJson[];
  rows: unknown[];
  command: string;
  rowCount: number | null;
}

interface RequestOptions {
  rawTextOutput: boolean;
  arrayMode: boolean;
}

/** An error that is answered with this HTTP status and `{message, code, ...}` body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** pg type config that hands every value back as the Postgres text representation (arrays too). */
const rawText: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as pg.CustomTypesConfig['getTypeParser'],
};

/** `queryMode` is in pg 8.x but missing from @types/pg. */
type ExtendedQuery = pg.QueryArrayConfig & { queryMode: 'extended' };

const ISOLATION: Record<string, string> = {
  Serializable: 'SERIALIZABLE',
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
};

const ERROR_FIELDS = [
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'severity',
  'where',
  'table',
  'column',
  'schema',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

/** Neon's error body: every DbError field present, null when absent; code/severity '' without a DbError. */
function errorBody(err: unknown): Record<string, string | null> {
  const body: Record<string, string | null> = {
    message: err instanceof Error ? err.message : String(err),
  };
  const db = err instanceof pg.DatabaseError ? err : undefined;
  for (const key of ERROR_FIELDS) body[key] = db?.[key] ?? null;
  if (!db) {
    body.code = '';
    body.severity = '';
  }
  return body;
}

/** What Postgres says when it is shut down under a session: the fault `error` answers this. */
const INJECTED_SHUTDOWN = {
  code: '57P01',
  severity: 'FATAL',
  message: 'terminating connection due to administrator command (injected fault)',
};

/** The same as a Postgres ErrorResponse message ('E'), for the WebSocket proxy. */
function shutdownFrame(): Buffer {
  const field = (tag: string, value: string) => Buffer.concat([Buffer.from(tag, 'ascii'), Buffer.from(value, 'utf8'), Buffer.from([0])]);
  const fields = Buffer.concat([
    field('S', INJECTED_SHUTDOWN.severity),
    field('V', INJECTED_SHUTDOWN.severity),
    field('C', INJECTED_SHUTDOWN.code),
    field('M', INJECTED_SHUTDOWN.message),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * Neon converts JSON params to Postgres text (json_to_pg_text): strings as they are, null as NULL,
 * numbers/bools/objects as JSON text, arrays as Postgres array literals with JSON-escaped items.
 * The JS driver already sends only strings and nulls.
 */
function paramToText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return `{${value.map(arrayLiteral).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

// Non-raw output (Neon-Raw-Text-Output absent): Neon's pg_text_to_json. The driver always asks for
// raw text, so this path only serves hand-written clients; array element types are known for the
// built-in array types only (other arrays, e.g. of enums, come back as their text form).
const BOOL = 16;
const INT2 = 21;
const INT4 = 23;
const FLOAT4 = 700;
const FLOAT8 = 701;
const JSON_OID = 114;
const JSONB = 3802;
const ARRAY_ELEMENT = new Map<number, number>([
  [1000, BOOL],
  [1005, INT2],
  [1007, INT4],
  [1016, 20],
  [1021, FLOAT4],
  [1022, FLOAT8],
  [199, JSON_OID],
  [3807, JSONB],
  [1009, 25],
  [1015, 1043],
  [1014, 1042],
  [1002, 18],
  [1003, 19],
  [1231, 1700],
  [2951, 2950],
  [1182, 1082],
  [1183, 1083],
  [1115, 1114],
  [1185, 1184],
  [1270, 1266],
  [1187, 1186],
  [1001, 17],
  [1028, 26],
  [1041, 869],
  [651, 650],
  [1040, 829],
  [143, 142],
]);

function textToJson(text: string, oid: number): unknown {
  const element = ARRAY_ELEMENT.get(oid);
  if (element !== undefined) return parseArray(text, element);
  switch (oid) {
    case BOOL:
      return text === 't';
    case INT2:
    case INT4:
      return Number.parseInt(text, 10);
    case FLOAT4:
    case FLOAT8: {
      const n = Number(text);
      return Number.isFinite(n) ? n : text; // NaN/Infinity stay strings, as in Neon
    }
    case JSON_OID:
    case JSONB:
      return JSON.parse(text);
    default:
      return text;
  }
}

/** Parses a Postgres array literal (`[1:2]={...}` bounds are dropped, as Neon does). */
function parseArray(text: string, element: number): unknown[] {
  let s = text;
  if (s.startsWith('[')) s = s.slice(s.indexOf('=') + 1);
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const list = (): unknown[] => {
    skipSpace();
    if (s[i] !== '{') throw new Error('unbalanced array');
    i++;
    const out: unknown[] = [];
    skipSpace();
    if (s[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (s[i] === '{') out.push(list());
      else if (s[i] === '"') {
        let item = '';
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          item += s[i] ?? '';
          i++;
        }
        i++;
        out.push(textToJson(item, element));
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== '}') i++;
        const item = s.slice(start, i).trim();
        out.push(item === 'NULL' ? null : textToJson(item, element));
      }
      skipSpace();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] !== '}') throw new Error('unbalanced array');
      i++;
      return out;
    }
  };
  return list();
}

/** One query on a checked-out client, shaped like Neon's per-query result. */
async function runQuery(client: pg.PoolClient, q: QueryData, opts: RequestOptions): Promise<ResultJson> {
  if (typeof q.query !== 'string') throw new HttpError(400, 'query must be a string');
  const config: ExtendedQuery = {
    text: q.query,
    values: (q.params ?? []).map(paramToText),
    rowMode: 'array',
    types: rawText,
    // Neon runs every statement through the extended protocol (query_raw_txt), even without
    // params: multi-statement strings fail there, so they must fail here too.
    queryMode: 'extended',
  };
  const res = await client.query(config);
  const arrayMode = q.arrayMode ?? opts.arrayMode;
  const fields: FieldJson[] = res.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: 'text',
  }));
  let rows: unknown[] = res.rows;
  if (!opts.rawTextOutput) {
    rows = res.rows.map((row) => row.map((v, i) => (v === null ? null : textToJson(v as string, fields[i]!.dataTypeID))));
  }
  if (!arrayMode) {
    rows = (rows as unknown[][]).map((row) => {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) obj[fields[i]!.name] = row[i];
      return obj;
    });
  }
  return {
    rowAsArray: arrayMode,
    fields,
    rows,
    command: res.command ?? '',
    rowCount: res.rowCount ?? null,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

const MAX_BODY = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** pg config from a Neon connection string, taking only what we understand (no `?host=` redirects). */
function poolConfig(connectionString: string, max: number): pg.PoolConfig {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new HttpError(400, 'Neon-Connection-String is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new HttpError(400, 'Neon-Connection-String must be a postgres:// URL');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopbackHost(host)) {
    throw new HttpError(400, `database host ${host} is not a loopback address; this local endpoint only serves local databases`);
  }
  const user = decodeURIComponent(url.username);
  // sslmode/channel_binding are deliberately ignored: Neon terminates TLS at its proxy, and the
  // local server on loopback has no TLS.
  return {
    host,
    port: url.port ? Number(url.port) : 5432,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || user,
    application_name: url.searchParams.get('application_name') ?? undefined,
    options: url.searchParams.get('options') ?? undefined,
    max,
    idleTimeoutMillis: 60_000,
    // Each query is sent without waiting for the previous one's answer (a batch goes out at once).
    pipeline: true,
  };
}

/** Cancels the statement a backend is running, from a short-lived connection of its own. */
async function cancelBackend(config: pg.PoolConfig, pid: number): Promise<void> {
  // Bounded: the abandoned request's release waits for this.
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
  await client.connect();
  try {
    await client.query('select pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export async function startNeonEndpoint(opts: NeonEndpointOptions = {}): Promise<NeonEndpoint> {
  const log = opts.log ?? (() => {});
  const listenHost = opts.host ?? '127.0.0.1';
  const poolSize = opts.poolSize ?? 10;
  const faults = opts.faults;
  const pools = new Map<string, pg.Pool>();
  const tunnels = new Set<{ ws: WebSocket; tcp: Socket }>();

  function poolFor(connectionString: string): pg.Pool {
    let pool = pools.get(connectionString);
    if (!pool) {
      pool = new pg.Pool(poolConfig(connectionString, poolSize));
      // An idle client whose server went away must not crash the process.
      pool.on('error', (err) => log(`neon-endpoint: idle Postgres connection error: ${err.message}`));
      pools.set(connectionString, pool);
    }
    return pool;
  }

  async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (err) {
      // Auth/unknown-database errors are the caller's (400, like Neon); a dead server is ours (500).
      if (err instanceof pg.DatabaseError) throw err;
      throw new HttpError(500, `could not connect to database: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const h = req.headers;
    const connectionString = h['neon-connection-string'];
    if (typeof connectionString !== 'string' || !connectionString) {
      throw new HttpError(400, 'missing Neon-Connection-String header');
    }
    // Neon treats anything but exactly "true" as false.
    const opts: RequestOptions = {
      rawTextOutput: h['neon-raw-text-output'] === 'true',
      arrayMode: h['neon-array-mode'] === 'true',
    };
    const isolationHeader = h['neon-batch-isolation-level'];
    const isolation = typeof isolationHeader === 'string' ? ISOLATION[isolationHeader] : undefined;
    if (isolationHeader !== undefined && !isolation) throw new HttpError(400, 'invalid isolation level');
    const readOnly = h['neon-batch-read-only'] === 'true';
    const deferrable = h['neon-batch-deferrable'] === 'true';
    // Neon-Pool-Opt-In and Authorization (JWT) are accepted and ignored: locally every request is
    // pooled and the connection string's password authenticates.

    const pool = poolFor(connectionString);
    // Connect while the body streams in, as Neon does.
    const [bodyResult, clientResult] = await Promise.allSettled([readBody(req), checkout(pool)]);
    if (clientResult.status === 'rejected') throw clientResult.reason;
    const client = clientResult.value;
    if (bodyResult.status === 'rejected') {
      client.release();
      throw bodyResult.reason;
    }

    // A caller that gives up (its deadline passed, the request it served is gone) closes the
    // connection: cancel what it was waiting for, as Neon's proxy does, instead of letting
    // Postgres run it to the end for nobody. pg_cancel_backend cancels only the current statement.
    const pid = (client as unknown as { processID?: number }).processID;
    // Once released the backend may serve another request, so a cancel must never land after
    // that: it goes over a connection of its own (through the pool it would wait behind the
    // busy ones and arrive late), and the release waits until it is done. A cancel that finds
    // the backend idle is ignored by Postgres.
    let released = false;
    let cancelling: Promise<void> | undefined;
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      if (cancelling) void cancelling.finally(() => release(err));
      else release(err);
    };
    res.on('close', () => {
      if (released || res.writableFinished || !pid) return;
      cancelling = cancelBackend(poolConfig(connectionString, 1), pid).catch((err: unknown) => {
        log(`neon-endpoint: cancel of backend ${pid} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    });

    let payload: unknown;
    try {
      payload = JSON.parse(bodyResult.value.toString('utf8'));
    } catch {
      client.release();
      throw new HttpError(400, 'request body is not valid JSON');
    }
    const p = payload as Partial<QueryData> & { queries?: unknown };

    const fault = faults?.decide(Array.isArray(p.queries) ? (p.queries as QueryData[]).map((q) => q?.query).join(';\n') : String(p.query));
    if (fault) {
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.fail) {
        client.release();
        if (fault.fail === 'drop') req.socket.destroy();
        else sendJson(res, 400, { ...errorBody(new Error(INJECTED_SHUTDOWN.message)), ...INJECTED_SHUTDOWN });
        return;
      }
    }

    if (Array.isArray(p.queries)) {
      const queries = p.queries as QueryData[];
      // Checked before anything is sent: the batch goes out in one piece below.
      if (queries.some((q) => typeof q?.query !== 'string')) {
        client.release();
        throw new HttpError(400, 'query must be a string');
      }
      let begin = 'BEGIN';
      if (isolation) begin += ` ISOLATION LEVEL ${isolation}`;
      if (readOnly) begin += ' READ ONLY';
      if (deferrable) begin += ' DEFERRABLE';
      // Pipelined (the pool's clients run in pg's pipeline mode) and written at once: BEGIN, the
      // statements and COMMIT reach Postgres in one write instead of one round trip each — socket
      // writes and the wake-ups they cost both processes were most of this endpoint's CPU. After a
      // failed statement Postgres refuses the rest of the block and the COMMIT rolls it back, so
      // the batch stays all-or-nothing; the first failure in order is the batch's error.
      const stream = (client as unknown as { connection: { stream: Socket } }).connection.stream;
      const sent: Promise<unknown>[] = [];
      stream.cork();
      try {
        sent.push(client.query(begin));
        for (const q of queries) sent.push(runQuery(client, q, opts));
        sent.push(client.query('COMMIT'));
      } finally {
        stream.uncork();
      }
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        // Idle again unless the connection itself failed (then it is not reusable).
        client.release(!(failed.reason instanceof pg.DatabaseError) || client.getTransactionStatus() !== 'I');
        throw failed.reason;
      }
      const results = settled.slice(1, -1).map((r) => (r as PromiseFulfilledResult<ResultJson>).value);
      client.release();
      const echo: Record<string, string> = {};
      if (readOnly) echo['neon-batch-read-only'] = 'true';
      if (deferrable) echo['neon-batch-deferrable'] = 'true';
      if (isolation && typeof isolationHeader === 'string') echo['neon-batch-isolation-level'] = isolationHeader;
      sendJson(res, 200, { results }, echo);
      return;
    }

    if (typeof p.query !== 'string') {
      client.release();
      throw new HttpError(400, 'request body must be {query, params} or {queries: [...]}');
    }
    let result: ResultJson;
    try {
      result = await runQuery(client, p as QueryData, opts);
    } catch (err) {
      // A failed statement leaves the session idle; anything else (lost connection) is not reusable.
      client.release(err instanceof pg.DatabaseError ? client.getTransactionStatus() !== 'I' : true);
      throw err;
    }
    // A lone BEGIN (or similar) leaves the session in a transaction: never hand it to the next request.
    client.release(client.getTransactionStatus() !== 'I');
    sendJson(res, 200, result);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': '*',
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }
    if (path !== '/sql') return sendJson(res, 404, { message: 'not found' });
    if (req.method !== 'POST') return sendJson(res, 405, { message: 'use POST' });
    handleSql(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      const status = err instanceof HttpError ? err.status : 400;
      sendJson(res, status, errorBody(err));
    });
  });
  // Keep HTTP connections from the Worker alive across benchmark pauses.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  // --- wsproxy -------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  function refuseUpgrade(socket: Duplex, status: number, message: string) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
        `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
    // end() flushes the answer first; the timer only reaps a peer that never closes its side.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  function bridge(ws: WebSocket, target: { host: string; port: number }) {
    const tcp = tcpConnect({ host: target.host, port: target.port });
    tcp.setNoDelay(true); // Postgres messages are small and latency-bound
    const tunnel = { ws, tcp };
    tunnels.add(tunnel);
    const HIGH_WATER = 1024 * 1024;

    const forward = (buf: Buffer) => {
      // Writes made while the socket is still connecting are queued by Node.
      if (!tcp.write(buf)) ws.pause();
    };
    // Frames held back by an injected delay: later frames queue behind them, in order.
    let held = 0;
    let chain = Promise.resolve();
    ws.on('message', (data: RawData) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      // The SQL text of Parse/Query messages is plain UTF-8 inside the frame.
      const fault = faults?.active ? faults.decide(buf.toString('utf8')) : undefined;
      if (!fault && held === 0) return forward(buf);
      held++;
      chain = chain.then(async () => {
        held--;
        if (fault?.latencyMs) await sleep(fault.latencyMs);
        if (ws.readyState !== WebSocket.OPEN) return;
        if (fault?.fail === 'drop') {
          // Postgres gone mid-session: the statement never arrives and no answer comes back.
          ws.terminate();
          tcp.destroy();
        } else if (fault?.fail === 'error') {
          ws.send(shutdownFrame(), { binary: true }, () => ws.close(1000));
          tcp.destroy();
        } else forward(buf);
      });
    });
    tcp.on('drain', () => ws.resume());
    tcp.on('data', (chunk: Buffer) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(chunk, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) tcp.resume();
      });
      if (ws.bufferedAmount > HIGH_WATER) tcp.pause();
    });
    // Postgres closed its side (e.g. after Terminate): close the WebSocket after queued frames.
    tcp.on('end', () => ws.close(1000));
    tcp.on('error', (err) => {
      log(`neon-endpoint: wsproxy TCP ${target.host}:${target.port}: ${err.message}`);
      ws.close(1011, 'database connection error');
    });
    tcp.on('close', () => {
      tunnels.delete(tunnel);
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    });
    // Client went away: half-close so bytes already written (Terminate) still reach Postgres.
    ws.on('close', () => {
      if (!tcp.destroyed) tcp.end();
    });
    ws.on('error', (err) => {
      log(`neon-endpoint: wsproxy WebSocket: ${err.message}`);
      tcp.destroy();
    });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The driver's default wsProxy uses /v2; both carry the same raw protocol here.
    if (url.pathname !== '/v1' && url.pathname !== '/v2') return refuseUpgrade(socket, 404, 'not found');
    const address = url.searchParams.get('address');
    if (address === null) {
      // The usual cause: neonConfig.wsProxy set to a *function* returning the bare proxy address.
      // The driver appends ?address= only to the string form; a function must append it itself.
      const hint =
        'missing ?address=host:port. Set neonConfig.wsProxy to the string "host:port/v1" (the driver appends ' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows code to write, not a template
        '?address=), or to (host, port) => `host:port/v1?address=${host}:${port}`';
      log(`neon-endpoint: wsproxy upgrade without address: ${hint}`);
      return refuseUpgrade(socket, 400, hint);
    }
    const target = parseAddress(address);
    if (!target) return refuseUpgrade(socket, 400, 'address must be host:port');
    if (!isLoopbackHost(target.host)) {
      log(`neon-endpoint: refused wsproxy target ${target.host}:${target.port}`);
      return refuseUpgrade(socket, 403, 'only loopback database addresses are allowed');
    }
    socket.on('error', () => {}); // handshake failures are answered by ws itself
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, target));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // URLs must name a reachable address: a wildcard listen is reached through loopback.
  const urlHost = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  log(`neon-endpoint: listening on http://${urlHost}:${port} (/sql, /v1)`);

  let closing: Promise<void> | undefined;
  return {
    port,
    httpEndpoint: `http://${urlHost}:${port}/sql`,
    wsProxy: `${urlHost}:${port}/v1`,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const { ws, tcp } of tunnels) {
          ws.terminate();
          tcp.destroy();
        }
        tunnels.clear();
        wss.close();
        server.closeAllConnections();
        await stopped;
        await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
        pools.clear();
      })();
      return closing;
    },
  };
}
