/**
 * A local HTTP endpoint that speaks the Upstash Redis REST protocol in front of a
 * {@link RedisHandle}, so the Worker uses the unchanged `@upstash/redis` and
 * `@upstash/ratelimit` clients against a real Redis.
 *
 * Protocol, as @upstash/redis 1.39 uses it:
 * - `POST /` body `["SET","k","v"]` → `{"result":…}`, or HTTP 400 `{"error":"ERR …"}`.
 * - `POST /pipeline` and `POST /multi-exec` body `[[…],[…]]` → `[{"result":…}|{"error":…}, …]`
 *   (HTTP 200 even when single commands fail; the client throws per command).
 * - `GET|POST /set/k/v?EX=10` path form; a POST body is appended as the last argument.
 * - `Authorization: Bearer <token>` (or `?_token=`), else HTTP 401 `{"error":…}`.
 * - With `Upstash-Encoding: base64` (the client's default) every string in a result, nested
 *   arrays included, is base64 of its bytes; numbers and null stay as they are.
 * - Backend unreachable → HTTP 503 `{"error":…}` at once, never a hanging request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep, type FaultSwitch } from './faults.ts';
import { RedisUnavailableError, type RedisHandle } from './redis.ts';

export interface UpstashEndpointOptions {
  redis: RedisHandle;
  token: string;
  /** 0 or undefined: any free port. */
  port?: number;
  host?: string;
  /** Injected latency, errors and cut connections (scripts/local/faults.ts); none when absent. */
  faults?: FaultSwitch;
}

export interface UpstashEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Upstash's REST limit is in this range too; protects the dev machine from runaway bodies. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Lua scripts: @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a flag
// only Upstash knows; open-source Redis answers "Unexpected flag in script shebang". The flag
// is removed before the script reaches Redis. The client addresses scripts by the SHA1 of the
// text it knows (EVALSHA with a hard-coded hash), so the original SHA is mapped to the SHA of
// the rewritten script.

const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking']);
const SHEBANG = /^#!lua([^\n]*)/;
const MAX_REMEMBERED_SCRIPTS = 1_000;

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

class ScriptRewriter {
  /** Original script text → rewritten text (or null when it needs no change). */
  private readonly byText = new Map<string, string | null>();
  /** SHA1 of an original script → SHA1 of its rewritten form. */
  private readonly shaMap = new Map<string, string>();

  /** The script Redis can run, remembering the SHA mapping when it differs. */
  rewrite(script: string): string {
    if (!script.startsWith('#!')) return script; // the common case costs one comparison
    const known = this.byText.get(script);
    if (known !== undefined) return known ?? script;
    const rewritten = stripUpstashFlags(script);
    if (this.byText.size >= MAX_REMEMBERED_SCRIPTS) {
      this.byText.clear();
      this.shaMap.clear();
    }
    if (rewritten === script) {
      this.byText.set(script, null);
      return script;
    }
    this.byText.set(script, rewritten);
    this.shaMap.set(sha1(script), sha1(rewritten));
    return rewritten;
  }

  /**
   * The SHA Redis knows for a script the client knows by `sha`. An unknown SHA passes through
   * unchanged, so Redis answers NOSCRIPT and the client falls back to EVAL with the full text.
   */
  mapSha(sha: string): string {
    return this.shaMap.get(sha.toLowerCase()) ?? sha;
  }

  /** Rewrites script commands; `mapReply` restores what the client expects to see. */
  transform(command: string[]): { command: string[]; mapReply?: (reply: unknown) => unknown } {
    const name = command[0]!.toUpperCase();
    switch (name) {
      case 'EVAL':
      case 'EVAL_RO': {
        const script = command[1];
        if (script === undefined) return { command };
        const rewritten = this.rewrite(script);
        return rewritten === script ? { command } : { command: [command[0]!, rewritten, ...command.slice(2)] };
      }
      case 'EVALSHA':
      case 'EVALSHA_RO': {
        const sha = command[1];
        if (sha === undefined) return { command };
        return { command: [command[0]!, this.mapSha(sha), ...command.slice(2)] };
      }
      case 'SCRIPT': {
        const sub = command[1]?.toUpperCase();
        if (sub === 'LOAD' && command[2] !== undefined) {
          const original = command[2];
          const rewritten = this.rewrite(original);
          if (rewritten === original) return { command };
          // Redis answers with the rewritten script's SHA; the client expects its own.
          const originalSha = sha1(original);
          return { command: [command[0]!, command[1]!, rewritten], mapReply: () => originalSha };
        }
        if (sub === 'EXISTS') {
          return { command: [command[0]!, command[1]!, ...command.slice(2).map((s) => this.mapSha(s))] };
        }
        return { command };
      }
      default:
        return { command };
    }
  }
}

/** Drops Upstash-only shebang flags; a shebang left without flags becomes an empty line. */
function stripUpstashFlags(script: string): string {
  const match = SHEBANG.exec(script);
  if (!match) return script;
  const options = match[1]!.trim().split(/\s+/).filter(Boolean);
  let changed = false;
  const kept = options.flatMap((option) => {
    if (!option.startsWith('flags=')) return [option];
    const flags = option.slice('flags='.length).split(',');
    const remaining = flags.filter((f) => !UPSTASH_ONLY_FLAGS.has(f));
    if (remaining.length === flags.length) return [option];
    changed = true;
    return remaining.length ? [`flags=${remaining.join(',')}`] : [];
  });
  if (!changed) return script;
  // An empty line instead of nothing keeps Lua's line numbers in error messages right, and
  // servers without shebang support (Redis 6, the in-process engine) can run the result.
  const firstLine = kept.length ? `#!lua ${kept.join(' ')}` : '';
  return firstLine + script.slice(match[0].length);
}

// ---------------------------------------------------------------------------------------------
// Replies

/** JSON form of a Redis reply: strings as text or base64 of their bytes, recursively. */
function encodeReply(value: unknown, base64: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (value instanceof Uint8Array) {
    // Buffers from ioredis; a view over the same memory, no copy.
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString(base64 ? 'base64' : 'utf8');
  }
  if (typeof value === 'string') return base64 ? Buffer.from(value, 'utf8').toString('base64') : value;
  if (Array.isArray(value)) return value.map((v) => encodeReply(v, base64));
  // An error nested in an array reply (a Lua table holding one) is shown as its message.
  if (value instanceof Error) return encodeReply(value.message, base64);
  if (typeof value === 'bigint') return Number(value);
  return encodeReply(String(value), base64);
}

type Entry = { result: unknown } | { error: string };

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Requests

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'ERR request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A command as the client serializes it: strings, plus numbers and booleans from its serializer. */
function toCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, 'ERR a command must be a non-empty JSON array');
  return value.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new HttpError(400, 'ERR command arguments must be strings or numbers');
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'ERR the request body is not valid JSON');
  }
}

/** `/set/key/value?EX=10` → `["set","key","value","EX","10"]`; a POST body is the last argument. */
function pathCommand(path: string, query: URLSearchParams | undefined, body: Buffer): string[] {
  const segments = path.slice(1).split('/');
  if (segments.at(-1) === '') segments.pop();
  let command: string[];
  try {
    command = segments.map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, 'ERR malformed URL encoding in the path');
  }
  if (body.length > 0) command.push(body.toString('utf8'));
  if (query) {
    for (const [key, value] of query) {
      if (key === '_token') continue;
      command.push(key);
      if (value !== '') command.push(value);
    }
  }
  if (command.length === 0 || command[0] === '') throw new HttpError(400, 'ERR empty command');
  return command;
}

function sendJson(res: ServerResponse, status: number, payload: unknown) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startUpstashEndpoint(opts: UpstashEndpointOptions): Promise<UpstashEndpoint> {
  const { redis } = opts;
  const host = opts.host ?? '127.0.0.1';
  const expected = Buffer.from(`Bearer ${opts.token}`);
  const scripts = new ScriptRewriter();

  function authorized(req: IncomingMessage, query: URLSearchParams | undefined): boolean {
    const header = req.headers.authorization;
    const given =
      header !== undefined ? Buffer.from(header) : query?.has('_token') ? Buffer.from(`Bearer ${query.get('_token')}`) : undefined;
    return given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  }

  async function single(command: string[], base64: boolean): Promise<{ status: number; payload: Entry }> {
    const { command: cmd, mapReply } = scripts.transform(command);
    try {
      const reply = await redis.call(cmd);
      return { status: 200, payload: { result: encodeReply(mapReply ? mapReply(reply) : reply, base64) } };
    } catch (error) {
      return { status: error instanceof RedisUnavailableError ? 503 : 400, payload: { error: errorMessage(error) } };
    }
  }

  async function many(body: unknown, atomic: boolean, base64: boolean): Promise<{ status: number; payload: Entry[] | Entry }> {
    if (!Array.isArray(body) || body.length === 0) throw new HttpError(400, 'ERR expected a non-empty JSON array of commands');
    const transformed = body.map((c) => scripts.transform(toCommand(c)));
    const settled = await redis.batch(
      transformed.map((t) => t.command),
      { atomic },
    );
    const unavailable = settled.find((s) => s.status === 'rejected' && s.reason instanceof RedisUnavailableError);
    if (unavailable) return { status: 503, payload: { error: errorMessage((unavailable as PromiseRejectedResult).reason) } };
    const payload = settled.map((s, i): Entry => {
      if (s.status === 'rejected') return { error: errorMessage(s.reason) };
      const mapReply = transformed[i]!.mapReply;
      return { result: encodeReply(mapReply ? mapReply(s.value) : s.value, base64) };
    });
    return { status: 200, payload };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // Parsed only when present: the client never sends a query string on the hot path.
    const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
    if (!authorized(req, query)) {
      sendJson(res, 401, { error: 'Unauthorized: invalid or missing auth token' });
      return;
    }
    const body = await readBody(req);
    // The command line (or pipeline) as sent, e.g. ["EVALSHA","…"], is what a rule matches.
    const fault = opts.faults?.active ? opts.faults.decide(body.length ? body.toString('utf8') : path) : undefined;
    if (fault) {
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.fail === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.fail === 'error') {
        sendJson(res, 503, { error: 'ERR Redis is unavailable (injected fault)' });
        return;
      }
    }
    const base64 = req.headers['upstash-encoding'] === 'base64';
    let out: { status: number; payload: unknown };
    if (path === '/' || path === '') {
      if (req.method !== 'POST') throw new HttpError(405, 'ERR send commands as POST with a JSON array body');
      out = await single(toCommand(parseJson(body)), base64);
    } else if (path === '/pipeline' || path === '/multi-exec') {
      if (req.method !== 'POST') throw new HttpError(405, `ERR ${path} takes POST with a JSON array of commands`);
      out = await many(parseJson(body), path === '/multi-exec', base64);
    } else {
      out = await single(pathCommand(path, query, body), base64);
    }
    sendJson(res, out.status, out.payload);
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      sendJson(res, status, { error: errorMessage(error) });
    });
  });
  // Workers keep connections to the endpoint open between requests; do not drop them early.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would otherwise hold close() open for a minute.
        server.closeAllConnections();
      }),
  };
}
