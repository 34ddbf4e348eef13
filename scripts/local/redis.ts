/**
 * The Redis behind the local Upstash endpoint: REDIS_URL if given, else a `redis-server`
 * spawned from the machine, else an in-process engine (ioredis-mock) as a last resort.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort, preferPort } from './ports.ts';

export interface RedisHandle {
  kind: 'external' | 'spawned' | 'in-process';
  /** redis:// URL when external/spawned. */
  url?: string;
  /**
   * Send one raw command; resolves with the Redis reply (bulk and status strings as Buffer or
   * string, integers as number, arrays, null) or rejects with the Redis error. Rejects with
   * {@link RedisUnavailableError} when the backend cannot be reached.
   */
  call(command: string[]): Promise<unknown>;
  /**
   * Run several commands in order, settling each one separately. With `atomic` they run as one
   * MULTI/EXEC transaction that no other client's command can interleave with.
   */
  batch(commands: string[][], opts: { atomic: boolean }): Promise<PromiseSettledResult<unknown>[]>;
  /** Stop the spawned server / disconnect. */
  stop(): Promise<void>;
  /**
   * For tests of the /api/ready path: make the backend unavailable (commands then fail fast)
   * and bring it back. Spawned: the redis-server process is stopped and started again on the
   * same port and data folder (a non-persistent server comes back empty). External: not
   * supported. In-process: a flag that makes every call reject.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface StartRedisOptions {
  /** Use this server (REDIS_URL) instead of starting one. */
  url?: string;
  /** The spawned server keeps its files in `<dataDir>/redis`. */
  dataDir: string;
  /** Keep data between runs (RDB snapshots) or start empty every time. */
  persistent: boolean;
  preferredPort?: number;
  log?: (line: string) => void;
}

/** The backend could not be reached (down, paused, connection lost): not a Redis error reply. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** A Redis error reply (`ERR …`, `WRONGTYPE …`, `NOSCRIPT …`) produced locally. */
class LocalReplyError extends Error {
  override name = 'ReplyError';
}

/**
 * Commands that change the state of a connection. Every HTTP request shares one connection,
 * so these would leak into other requests (SELECT, CLIENT REPLY), break the transaction
 * handling (MULTI/EXEC/WATCH) or turn the connection into a push stream (SUBSCRIBE, MONITOR).
 */
const CONNECTION_STATE_COMMANDS = new Set([
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'SELECT',
  'QUIT',
  'RESET',
  'HELLO',
  'AUTH',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MONITOR',
  'SYNC',
  'PSYNC',
  'REPLCONF',
]);

/** Commands that may block the connection for seconds; they get a connection of their own. */
const BLOCKING_COMMANDS = new Set([
  'BLPOP',
  'BRPOP',
  'BRPOPLPUSH',
  'BLMOVE',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
  'WAITAOF',
]);

function deniedCommand(command: string[]): LocalReplyError | undefined {
  const name = command[0]?.toUpperCase();
  if (!name) return new LocalReplyError('ERR empty command');
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    return new LocalReplyError(`ERR command '${command[0]}' is not supported by the local Upstash endpoint`);
  }
  if (name === 'CLIENT' && command[1]?.toUpperCase() === 'REPLY') {
    return new LocalReplyError("ERR 'CLIENT REPLY' is not supported by the local Upstash endpoint");
  }
  return undefined;
}

function isBlocking(command: string[]): boolean {
  const name = command[0]!.toUpperCase();
  if (BLOCKING_COMMANDS.has(name)) return true;
  return (name === 'XREAD' || name === 'XREADGROUP') && command.some((a) => a.toUpperCase() === 'BLOCK');
}

function rejected(reason: Error): PromiseRejectedResult {
  return { status: 'rejected', reason };
}

function fulfilled(value: unknown): PromiseFulfilledResult<unknown> {
  return { status: 'fulfilled', value };
}

export async function startRedis(opts: StartRedisOptions): Promise<RedisHandle> {
  const log = opts.log ?? (() => {});
  if (opts.url) return startExternal(opts.url, log);
  const binary = findRedisServer();
  if (binary) {
    // Not a reason to fall back to the in-process engine: two stacks on one data folder is a mistake.
    checkPidFile(join(opts.dataDir, 'redis', PID_FILE));
    try {
      return await startSpawned(binary, opts, log);
    } catch (error) {
      log(`WARNING: could not start ${binary}: ${(error as Error).message}`);
    }
  } else {
    log('WARNING: redis-server was not found on PATH, /usr/bin or /usr/sbin');
  }
  log(
    'WARNING: using the in-process Redis engine (ioredis-mock): data is not kept and Lua support is partial; install redis-server for a real Redis',
  );
  return startInProcessRedis();
}

// ---------------------------------------------------------------------------------------------
// ioredis-backed handle (external and spawned)

/**
 * Options that make commands fail fast while the server is down, so a readiness probe sees
 * it within a second instead of waiting on a queue: no offline queue, and in-flight commands
 * are rejected as soon as the connection drops (maxRetriesPerRequest 0). Resending them after
 * a reconnect is off too: INCR or a rate-limit script must not run twice. The client keeps
 * reconnecting every ≤250 ms so it recovers soon after the server is back.
 */
const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
  connectTimeout: 1_000,
  // A server that accepts the connection but stops answering must not hang requests forever.
  commandTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 50, 250),
};

function createClient(options: RedisOptions, url?: string): Redis {
  const client = url ? new Redis(url, options) : new Redis(options);
  // Without a listener ioredis prints every failed reconnect attempt; watchConnection logs instead.
  client.on('error', () => {});
  return client;
}

function classifyError(error: unknown): Error {
  if (error instanceof Error && error.name === 'ReplyError') return error;
  const message = error instanceof Error ? error.message : String(error);
  // ioredis' wording for "not connected right now" with the offline queue off.
  const reason = message.startsWith("Stream isn't writeable")
    ? 'not connected'
    : error instanceof Error && error.name === 'MaxRetriesPerRequestError'
      ? 'connection lost while the command was in flight'
      : message;
  return new RedisUnavailableError(`Redis is unavailable: ${reason}`);
}

function rethrow(error: unknown): never {
  throw classifyError(error);
}

function send(client: Redis, command: string[]): Promise<unknown> {
  // Upper-case names bypass ioredis' reply transformers (keyed by lower-case name; HGETALL
  // would become an object) so every reply keeps the raw RESP shape the REST protocol needs.
  return client.callBuffer(command[0]!.toUpperCase(), ...command.slice(1)).then(undefined, rethrow);
}

function waitUntilReady(client: Redis, timeoutMs: number, child?: ChildProcess): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'wait') client.connect().catch(() => {});
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      child?.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`redis-server exited during start (${signal ?? `code ${code}`})`));
    const timer = setTimeout(() => done(new Error(`Redis did not become ready within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    child?.once('exit', onExit);
  });
}

/** Logs when the connection is lost and when it is back, once each, not every retry. */
function watchConnection(client: Redis, label: string, log: (line: string) => void) {
  let up = client.status === 'ready';
  // 'reconnecting', not 'close': a deliberate disconnect() does not reconnect and is not news.
  client.on('reconnecting', () => {
    if (up) log(`${label}: connection lost; reconnecting`);
    up = false;
  });
  client.on('ready', () => {
    if (!up) log(`${label}: connected`);
    up = true;
  });
}

function ioredisHandle(client: Redis): Pick<RedisHandle, 'call' | 'batch'> {
  /** Blocking commands run on a short-lived connection of their own, without the command timeout. */
  async function onDedicated<T>(run: (c: Redis) => Promise<T>): Promise<T> {
    const dedicated = client.duplicate({ lazyConnect: true, commandTimeout: undefined, retryStrategy: () => null });
    dedicated.on('error', () => {});
    try {
      await dedicated.connect().catch(rethrow);
      return await run(dedicated);
    } finally {
      dedicated.disconnect();
    }
  }

  function pipeline(c: Redis, commands: string[][]): Promise<PromiseSettledResult<unknown>[]> {
    // Written to the socket in one synchronous pass: in order, nothing interleaves.
    return Promise.allSettled(
      commands.map((cmd) => {
        const denied = deniedCommand(cmd);
        return denied ? Promise.reject(denied) : send(c, cmd);
      }),
    );
  }

  async function transaction(commands: string[][]): Promise<PromiseSettledResult<unknown>[]> {
    const denied = commands.map(deniedCommand);
    if (denied.some(Boolean)) {
      const abort = new LocalReplyError('EXECABORT Transaction discarded because of previous errors.');
      return denied.map((e) => rejected(e ?? abort));
    }
    // MULTI, the commands and EXEC are written to the shared connection in one synchronous
    // pass. Node runs no other request's code in between, so no foreign command can land
    // inside the transaction, and no extra connection or lock is needed.
    const multi = send(client, ['MULTI']);
    const queued = commands.map((cmd) => send(client, cmd));
    const exec = send(client, ['EXEC']);
    const [multiResult, execResult, ...queuedResults] = await Promise.allSettled([multi, exec, ...queued]);
    if (multiResult!.status === 'rejected') return commands.map(() => rejected(multiResult!.reason as Error));
    if (execResult!.status === 'rejected') {
      // EXECABORT: a command was refused while queueing (wrong arity…); nothing ran. Report
      // the queueing error where there is one and the abort everywhere else.
      const reason = execResult!.reason as Error;
      return queuedResults.map((q) => (q.status === 'rejected' ? q : rejected(reason)));
    }
    const replies = execResult!.value;
    if (!Array.isArray(replies)) {
      const aborted = new LocalReplyError('EXECABORT Transaction aborted');
      return commands.map(() => rejected(aborted));
    }
    // Errors raised while executing (WRONGTYPE…) come back as error objects inside EXEC's reply.
    return replies.map((r: unknown) => (r instanceof Error ? rejected(r) : fulfilled(r)));
  }

  return {
    call(command) {
      const denied = deniedCommand(command);
      if (denied) return Promise.reject(denied);
      if (isBlocking(command)) return onDedicated((c) => send(c, command));
      return send(client, command);
    },
    batch(commands, { atomic }) {
      if (atomic) return transaction(commands);
      if (commands.some((cmd) => cmd.length > 0 && isBlocking(cmd))) return onDedicated((c) => pipeline(c, commands));
      return pipeline(client, commands);
    },
  };
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}

async function startExternal(url: string, log: (line: string) => void): Promise<RedisHandle> {
  const client = createClient(CLIENT_OPTIONS, url);
  watchConnection(client, `redis ${maskUrl(url)}`, log);
  try {
    await waitUntilReady(client, 5_000);
  } catch (error) {
    client.disconnect();
    throw new Error(`REDIS_URL ${maskUrl(url)} is not reachable: ${(error as Error).message}`);
  }
  const notSupported = () => Promise.reject(new Error('pause/resume is not supported for an external Redis (REDIS_URL)'));
  return {
    kind: 'external',
    url,
    ...ioredisHandle(client),
    async stop() {
      client.disconnect();
    },
    pause: notSupported,
    resume: notSupported,
  };
}

// ---------------------------------------------------------------------------------------------
// Spawned redis-server

function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Children still running when this process exits; killed from the exit hook. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess) {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous, so it also runs on process.exit(); SIGTERM lets a persistent server save.
    process.on('exit', () => {
      for (const c of liveChildren) c.kill('SIGTERM');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/**
 * A tiny shell that holds the read end of a pipe from this process and stops the server when
 * the pipe closes, i.e. when this process dies in any way, SIGKILL included, where no exit
 * hook runs. Both run in their own process group so a Ctrl-C in the terminal reaches only
 * the dev script, which then stops the server in order.
 */
function spawnWatchdog(pid: number): ChildProcess {
  const watchdog = spawn('/bin/sh', ['-c', 'read _ignored; kill -TERM "$1" 2>/dev/null', 'sabaq-redis-watchdog', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => {});
  track(watchdog);
  return watchdog;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM (a persistent server saves its snapshot), SIGKILL after the grace period. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PID_FILE = 'redis.pid';

/** Refuses to start when a live redis-server already owns this data folder. */
function checkPidFile(pidFile: string) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!(pid > 0) || !processAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (cmdline.includes('redis-server')) {
    throw new Error(`redis-server (pid ${pid}) already runs on ${dirname(pidFile)}; stop it (kill ${pid}) or use another data folder`);
  }
}

function logTail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

async function startSpawned(binary: string, opts: StartRedisOptions, log: (line: string) => void): Promise<RedisHandle> {
  const dir = join(opts.dataDir, 'redis');
  const pidFile = join(dir, PID_FILE);
  const logFile = join(dir, 'redis.log');
  if (!opts.persistent) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  let port = await preferPort(opts.preferredPort);
  let server: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let client: Redis | undefined;

  const args = (p: number) => [
    '--port',
    String(p),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--pidfile',
    pidFile,
    // A log file instead of a pipe: a pipe nobody drains would eventually block the server.
    '--logfile',
    logFile,
    '--appendonly',
    'no',
    ...(opts.persistent ? ['--save', '60 1'] : ['--save', '']),
  ];

  const launch = (p: number) => {
    // detached: own process group, see spawnWatchdog.
    const child = spawn(binary, args(p), { stdio: 'ignore', detached: true });
    child.on('error', (error) => log(`redis-server: ${error.message}`));
    track(child);
    server = child;
    if (child.pid) {
      const dog = spawnWatchdog(child.pid);
      watchdog = dog;
      // However the server ends (crash, kill -9), its watchdog goes with it.
      child.once('exit', (code, signal) => {
        dog.kill('SIGKILL');
        if (server === child) log(`redis-server exited (${signal ?? `code ${code}`})`);
      });
    }
    return child;
  };

  const shutdown = async () => {
    const [s, w] = [server, watchdog];
    server = undefined;
    watchdog = undefined;
    // The watchdog goes first so it cannot signal a pid that may be reused later.
    if (w) await terminate(w, 1_000);
    if (s) await terminate(s, 10_000);
  };

  // A port that was free a moment ago can be taken before the server binds it: try again.
  for (let attempt = 1; ; attempt++) {
    const child = launch(port);
    client = createClient({ ...CLIENT_OPTIONS, host: '127.0.0.1', port });
    try {
      await waitUntilReady(client, 10_000, child);
      break;
    } catch (error) {
      client.disconnect();
      await shutdown();
      const reason = `${(error as Error).message}: ${logTail(logFile)}`;
      if (attempt >= 3) throw new Error(reason);
      log(`redis-server on port ${port} failed (${reason}); trying another port`);
      port = await freePort();
    }
  }
  const shared = client;
  watchConnection(shared, 'redis', log);
  const url = `redis://127.0.0.1:${port}`;
  log(`redis-server ${url} (data ${dir}${opts.persistent ? '' : ', not persistent'})`);

  let stopped = false;
  return {
    kind: 'spawned',
    url,
    ...ioredisHandle(shared),
    async stop() {
      if (stopped) return;
      stopped = true;
      shared.disconnect();
      await shutdown();
    },
    async pause() {
      if (stopped) throw new Error('Redis is stopped');
      await shutdown();
    },
    async resume() {
      if (stopped) throw new Error('Redis is stopped');
      if (server && isRunning(server)) {
        // Running as far as Node knows; an exit it has not noticed yet shows up here.
        const alive = await waitUntilReady(shared, 10_000, server).then(
          () => true,
          () => false,
        );
        if (alive) return;
      }
      await shutdown(); // a server that died by itself leaves its watchdog behind
      const child = launch(port);
      try {
        // The shared client reconnects by itself (retryStrategy); wait until it has.
        await waitUntilReady(shared, 10_000, child);
      } catch (error) {
        await shutdown();
        throw new Error(`redis-server did not come back on port ${port}: ${(error as Error).message}: ${logTail(logFile)}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// In-process engine

type MockMethod = (...args: string[]) => Promise<unknown>;

/** ioredis-mock returns what ioredis' helpers would (objects, NaN); turn it back into RESP shapes. */
function normalizeMockReply(value: unknown): unknown {
  if (typeof value === 'number' && Number.isNaN(value)) {
    throw new LocalReplyError('ERR value is not an integer or out of range');
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalizeMockReply);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.entries(value).flat().map(normalizeMockReply);
  }
  return value;
}

function mockError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  // Keep Redis-style messages ("NOSCRIPT …", "ERR …") so clients can react to them.
  return new LocalReplyError(/^[A-Z]{2,}\b/.test(message) ? message : `ERR ${message}`);
}

/** The in-process engine on its own: the last resort of {@link startRedis}, and for tests. */
export async function startInProcessRedis(): Promise<RedisHandle> {
  // Loaded on demand: it pulls in a Lua VM that the normal paths never need.
  const { default: RedisMock } = await import('ioredis-mock');
  const mock = new RedisMock() as unknown as Record<string, unknown>;
  let paused = false;
  // ioredis-mock has no MULTI over raw commands; a queue runs every call and batch one at a
  // time, which makes a batch atomic the same way a transaction is.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  async function run(command: string[]): Promise<unknown> {
    if (paused) throw new RedisUnavailableError('Redis is unavailable: the in-process engine is paused');
    const denied = deniedCommand(command);
    if (denied) throw denied;
    const name = command[0]!.toLowerCase();
    const method = mock[name];
    // Every Redis command of ioredis-mock has a `…Buffer` twin; its helpers (connect, multi…) do not.
    if (typeof method !== 'function' || typeof mock[`${name}Buffer`] !== 'function') {
      throw new LocalReplyError(`ERR unknown command '${command[0]}' (not supported by the in-process engine)`);
    }
    try {
      return normalizeMockReply(await (method as MockMethod).apply(mock, command.slice(1)));
    } catch (error) {
      throw error instanceof LocalReplyError ? error : mockError(error);
    }
  }

  return {
    kind: 'in-process',
    call: (command) => exclusive(() => run(command)),
    batch: (commands, { atomic }) =>
      exclusive(async () => {
        if (paused) {
          const reason = new RedisUnavailableError('Redis is unavailable: the in-process engine is paused');
          return commands.map(() => rejected(reason));
        }
        if (atomic) {
          const denied = commands.map(deniedCommand);
          if (denied.some(Boolean)) {
            const abort = new LocalReplyError('EXECABORT Transaction discarded because of previous errors.');
            return denied.map((e) => rejected(e ?? abort));
          }
        }
        const results: PromiseSettledResult<unknown>[] = [];
        for (const cmd of commands) {
          try {
            results.push(fulfilled(await run(cmd)));
          } catch (error) {
            results.push(rejected(error as Error));
          }
        }
        return results;
      }),
    async stop() {
      paused = true;
      (mock.disconnect as (() => void) | undefined)?.call(mock);
    },
    async pause() {
      paused = true;
    },
    async resume() {
      paused = false;
    },
  };
}
