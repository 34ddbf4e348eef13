/** Structured JSON logs: one object per line, always carrying the request id. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(base: Record<string, unknown>, minLevel: LogLevel = 'info'): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[minLevel]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    // biome-ignore lint/suspicious/noConsole: the JSON log line is the Worker's log output
    else console.log(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel),
  };
}

/**
 * Redacts values from a driver message: Drizzle appends every query parameter after
 * "params:", and Postgres quotes the offending value (`invalid input syntax for type uuid:
 * "…"`, `Key (email)=(…) already exists`).
 */
export function redactMessage(message: string): string {
  return message
    .replace(/\n?params:[\s\S]*$/, '')
    .replace(/: "(?:[^"\\]|\\.)*"/g, ': "[redacted]"')
    .replace(/=\((?:[^()]|\([^()]*\))*\)/g, '=([redacted])');
}

const MAX_SQL = 400;

/** What a failed query may tell the log: the statement's shape (SQL with $n placeholders) and Postgres' own diagnostics, never the values. */
function queryFields(err: Error & { query?: unknown; params?: unknown }): Record<string, unknown> {
  const sql = typeof err.query === 'string' ? err.query : '';
  return {
    sql: sql.length > MAX_SQL ? `${sql.slice(0, MAX_SQL)}…` : sql,
    paramCount: Array.isArray(err.params) ? err.params.length : undefined,
  };
}

/** Postgres diagnostics without `detail`, `where` or `hint` (they can quote row values). */
function pgFields(err: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['code', 'constraint', 'table', 'column', 'dataType', 'routine'] as const) {
    if (typeof err[key] === 'string') out[key] = err[key];
  }
  return out;
}

/** The stack's frames only: its first line repeats the (unredacted) message. */
function frames(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

function describe(err: unknown, depth: number): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redactMessage(err) : String(err);
  const e = err as Error & { query?: unknown; params?: unknown; cause?: unknown };
  const isQuery = typeof e.query === 'string' && 'params' in e;
  const out: Record<string, unknown> = {
    name: e.name,
    message: isQuery ? 'Failed query' : redactMessage(e.message),
    ...(isQuery ? queryFields(e) : {}),
    ...pgFields(e as unknown as Record<string, unknown>),
    stack: frames(e.stack),
  };
  if (e.cause !== undefined && depth < 3) out.cause = describe(e.cause, depth + 1);
  return out;
}

/** An error for the log: never the query parameters or values Postgres quotes back. */
export function errorFields(err: unknown): Record<string, unknown> {
  return { err: describe(err, 0) };
}
