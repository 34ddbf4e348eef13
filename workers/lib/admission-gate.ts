import { AdaptiveBulkhead, systemClock, type Clock, type LimiterOptions } from './admission.ts';
import type { Metrics } from './metrics/recorder.ts';
import { routeOf } from './metrics.ts';
import { publicDataVersion } from './public-version.ts';
import { OVERLOADED_MESSAGE, OVERLOADED_RETRY_AFTER_SEC as RETRY_AFTER_SEC } from './errors.ts';

/**
 * Route families, each with its own adaptive limit: a flood of cold searches must not take
 * the slots of course pages, nor logins (CPU-heavy PBKDF2) those of learners. Decided from
 * the method, the path and whether credentials come along — before routing, so shedding
 * costs next to nothing. Health, readiness and metrics are exempt: the bench, the load
 * balancer and dashboards must see the isolate even while it sheds.
 */
export type Family = 'public-read' | 'search' | 'member-read' | 'write' | 'auth' | 'live';

export interface FamilyPolicy {
  limiter: LimiterOptions;
  maxQueue: number;
  maxWaitMs: number;
  /** Anonymous GETs whose last good answer may be served when the family is full. */
  staleable: boolean;
}

/** A permit not released after this long belongs to a cancelled request; it is reclaimed. */
const LEASE_MS = 30_000;

/**
 * Minimums stay well above what one client does at once (a test suite registers 20 users in
 * parallel): the limits exist against floods, not bursts. Waits are short — the excess is
 * answered within ~50 ms (100 ms for the CPU-heavy logins) instead of timing out.
 */
export const FAMILIES: Record<Family, FamilyPolicy> = {
  'public-read': { limiter: { initial: 64, min: 32, max: 512, maxLatencyMs: 150 }, maxQueue: 64, maxWaitMs: 50, staleable: true },
  search: { limiter: { initial: 32, min: 16, max: 128, maxLatencyMs: 300 }, maxQueue: 32, maxWaitMs: 50, staleable: true },
  'member-read': { limiter: { initial: 64, min: 32, max: 512, maxLatencyMs: 200 }, maxQueue: 64, maxWaitMs: 50, staleable: false },
  write: { limiter: { initial: 48, min: 24, max: 256, maxLatencyMs: 500 }, maxQueue: 48, maxWaitMs: 50, staleable: false },
  auth: { limiter: { initial: 32, min: 16, max: 64, maxLatencyMs: 1500 }, maxQueue: 32, maxWaitMs: 100, staleable: false },
  /*
   * WebSocket handshakes, live tickets and game joins. A handshake holds its permit only until the 101
   * (the socket then lives in a Durable Object), but pages open them in bursts — a class
   * starting a game, a hundred dashboards after a deploy — and a refused one costs the
   * client a backoff of seconds. So: a higher floor, a longer wait, a latency ceiling that
   * tolerates a burst's queueing; still bounded, so a flood of handshakes is shed.
   */
  live: { limiter: { initial: 128, min: 64, max: 512, maxLatencyMs: 1000 }, maxQueue: 128, maxWaitMs: 1000, staleable: false },
};

const EXEMPT = new Set(['/api/health', '/api/ready', '/api/metrics']);

/** The routes that open WebSockets: the user's live events, a game's player and host sockets. */
const SOCKET_PATH = /^\/api\/(?:me\/live|games\/[^/]+\/(?:play|host))$/;
const LIVE_TICKET_PATH = '/api/me/live/ticket';
/** A player's join: one Durable Object call, no Postgres — the first step of a socket, in the same bursts (a class arriving at once). */
const GAME_JOIN_PATH = /^\/api\/games\/[^/]+\/join$/;

/**
 * `upgrade`: the request asks for a WebSocket. Only the socket routes count as `live` — an
 * Upgrade header on any other GET must not move it out of its own family's limits.
 */
export function familyOf(method: string, path: string, credentials: boolean, upgrade = false): Family | null {
  if (EXEMPT.has(path) || method === 'OPTIONS') return null;
  if (path.startsWith('/api/auth/')) return 'auth';
  if (upgrade && method === 'GET' && SOCKET_PATH.test(path)) return 'live';
  if (method === 'POST' && (path === LIVE_TICKET_PATH || GAME_JOIN_PATH.test(path))) return 'live';
  if (method !== 'GET' && method !== 'HEAD') return 'write';
  if (credentials) return 'member-read';
  return path === '/api/search' ? 'search' : 'public-read';
}

const hasCredentials = (authorization: string | undefined, cookie: string | undefined) =>
  Boolean(authorization) || /(?:^|;\s*)__Host-sabaq_at=/.test(cookie ?? '');

interface StaleEntry {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
  storedAt: number;
  /** publicDataVersion() when the request that produced it started. */
  version: number;
  /** A request is making its successor (hot copies past their lifetime). */
  refreshing?: boolean;
  /** The route pattern that made it: a hot answer is counted as a request of that route. */
  route?: string;
  /**
   * How long it answers as a hot copy: HOT_ANSWERS_MS × [0.5, 1), drawn when stored. Copies made
   * together (a warm-up, a burst) would otherwise all expire together, and every ~2 s the isolate
   * recomputed every popular URL at once — 50–100 ms stalls of its one thread, seen as the p99.
   */
  lifeMs?: number;
}

const NOT_HOT = { claimed: false } as const;

/**
 * The last good answer of the most asked-for public reads, per isolate (bounded: entries,
 * bytes per entry, total bytes; least recently used out first). Read in two ways: for a
 * moment after it was made (`hot`: same answer, nothing in this isolate changed since) it
 * answers anyone asking for the same URL; when the family is full it answers for minutes (a
 * stale page is better than a 503). Copied at most once per `refreshMs` per URL, so a warm
 * request pays for a copy rarely.
 */
export class StaleResponses {
  private readonly map = new Map<string, StaleEntry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 1024,
    private readonly maxEntryBytes = 64 * 1024,
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly refreshMs = 5000,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Whether a fresh copy of this URL's answer is worth taking now. */
  wants(url: string, now: number, version: number, refreshMs = this.refreshMs): boolean {
    const e = this.map.get(url);
    return !e || e.version !== version || now - e.storedAt >= Math.min(refreshMs, e.lifeMs ?? refreshMs, this.refreshMs);
  }

  /**
   * The stored answer while it is younger than its lifetime (`lifeMs`, at most `maxAgeMs`) and
   * nothing public changed in this isolate since — and up to twice that while one request is
   * already making its successor, so the requests arriving meanwhile do not all run the route
   * (coalescing). `claimed`: this caller is that one request; it gets no copy and must call
   * `refreshed(url)` when done.
   */
  hot(url: string, now: number, maxAgeMs: number, version: number): { copy?: StaleEntry; claimed: boolean } {
    const e = this.map.get(url);
    if (!e || e.version !== version) return NOT_HOT;
    const age = now - e.storedAt;
    const life = Math.min(e.lifeMs ?? maxAgeMs, maxAgeMs);
    if (age < life || (e.refreshing && age < 2 * life)) return { copy: e, claimed: false };
    if (age >= 2 * life) return NOT_HOT;
    e.refreshing = true;
    return { claimed: true };
  }

  /** The request that claimed a refresh is done (whether or not it stored a successor). */
  refreshed(url: string): void {
    const e = this.map.get(url);
    if (e) e.refreshing = false;
  }

  put(url: string, entry: StaleEntry): void {
    if (entry.body.byteLength > this.maxEntryBytes) return;
    this.delete(url);
    this.map.set(url, entry);
    this.bytes += entry.body.byteLength;
    for (const [k] of this.map) {
      if (this.map.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  /** The stored answer when it is at most `maxAgeMs` old. */
  get(url: string, now: number, maxAgeMs: number): StaleEntry | undefined {
    const e = this.map.get(url);
    if (!e || now - e.storedAt > maxAgeMs) return undefined;
    // Most recently used goes last.
    this.map.delete(url);
    this.map.set(url, e);
    return e;
  }

  private delete(url: string): void {
    const e = this.map.get(url);
    if (!e) return;
    this.bytes -= e.body.byteLength;
    this.map.delete(url);
  }
}

/** How old a stale answer may be when served instead of a 503. */
export const STALE_MAX_AGE_MS = 5 * 60_000;

/** The isolate's gates and stale copies; tests build their own with a fake clock. */
export class Admission {
  readonly gates: Record<Family, AdaptiveBulkhead>;
  readonly stale = new StaleResponses();

  constructor(
    readonly clock: Clock = systemClock,
    overrides: Partial<Record<Family, FamilyPolicy>> = {},
    /** Draws the spread of hot copies' lifetimes (tests pin it). */
    readonly random: () => number = Math.random,
  ) {
    const gates = {} as Record<Family, AdaptiveBulkhead>;
    for (const [name, p] of Object.entries({ ...FAMILIES, ...overrides }) as [Family, FamilyPolicy][]) {
      gates[name] = new AdaptiveBulkhead(p.limiter, { maxQueue: p.maxQueue, maxWaitMs: p.maxWaitMs, leaseMs: LEASE_MS }, clock);
    }
    this.gates = gates;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The 503 of a refused request, built without the app: admission runs before every other
 * middleware (config, logger, services, security headers, CORS), so a refusal costs a header
 * check, a string and a Response — the CPU an overloaded isolate does not have. Same error
 * shape and headers as an `AppError('overloaded')` through the error handler would have.
 */
export function shedResponse(family: Family, incomingRequestId: string | undefined): Response {
  const requestId = incomingRequestId && REQUEST_ID.test(incomingRequestId) ? incomingRequestId : crypto.randomUUID();
  const body = `{"error":{"code":"overloaded","message":"${OVERLOADED_MESSAGE}","requestId":"${requestId}","details":{"family":"${family}","retryAfterSec":${RETRY_AFTER_SEC}}}}`;
  return new Response(body, {
    status: 503,
    headers: {
      'Content-Type': 'application/json',
      'Retry-After': String(RETRY_AFTER_SEC),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Request-Id': requestId,
    },
  });
}

/** The path of a request URL without parsing it (`new URL` is a measurable share of a refusal). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.indexOf('?', start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

function staleAnswer(state: Admission, copy: StaleEntry, why: 'overloaded' | 'error'): Response {
  // The Response copies the bytes (admission.test.ts checks it): no slice of our own.
  const res = new Response(copy.body, { status: copy.status, headers: copy.headers });
  res.headers.set('X-Served-Stale', why);
  res.headers.set('Age', String(Math.floor((state.clock.now() - copy.storedAt) / 1000)));
  return res;
}

/**
 * A hot copy answers like the route would: 304 when the client holds the same version (its
 * ETag), else the stored 200. A fresh request id, as every answer has.
 */
function hotAnswer(copy: StaleEntry, request: Request): Response {
  // A list, not a Headers object: the Response builds its own from it (one C++-backed object
  // per answer instead of two, and the runtime's GC pauses grow with them).
  const headers: [string, string][] = [...copy.headers, ['X-Request-Id', crypto.randomUUID()]];
  const etag = copy.headers.find(([name]) => name === 'etag')?.[1];
  if (etag && request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  // No slice: the Response copies the bytes already, and a second copy per hot answer (~17 KB
  // of external memory each) brought on the runtime's major GCs sooner.
  return new Response(copy.body, { status: copy.status, headers });
}

/**
 * Bounds the work this isolate accepts per route family. Over the limit a request waits at
 * most a few tens of ms for a slot; then it gets the last good answer when it is a public
 * read we have one for, else 503 `overloaded` with Retry-After at once.
 *
 * It wraps the app's `fetch` rather than being a middleware: a refusal then costs no routing,
 * no context and no middleware chain — only the headers it reads and a prebuilt Response.
 */
export async function admit(
  state: Admission,
  request: Request,
  metrics: Metrics,
  handle: () => Promise<Response> | Response,
  hotMs = 0,
): Promise<Response> {
  const path = pathOf(request.url);
  const family = path.startsWith('/api/')
    ? familyOf(
        request.method,
        path,
        hasCredentials(request.headers.get('authorization') ?? undefined, request.headers.get('cookie') ?? undefined),
        request.headers.get('upgrade')?.toLowerCase() === 'websocket',
      )
    : null;
  if (!family) return handle();
  // An Origin header makes the answer carry CORS headers for that origin (Vary: Origin): not shareable.
  const staleable = FAMILIES[family].staleable && request.method === 'GET' && !request.headers.has('origin');
  const version = publicDataVersion();
  let claimed = false;
  if (staleable && hotMs > 0) {
    const hot = state.stale.hot(request.url, state.clock.now(), hotMs, version);
    if (hot.copy) {
      metrics.admission(family, 'hot');
      // Served like any request (operations dashboards count answers), in no measurable time.
      metrics.request(hot.copy.route ?? 'unmatched', request.method, hot.copy.status, 0);
      return hotAnswer(hot.copy, request);
    }
    claimed = hot.claimed;
  }
  try {
    return await admitted(state, request, metrics, handle, family, staleable, version, hotMs);
  } finally {
    if (claimed) state.stale.refreshed(request.url);
  }
}

async function admitted(
  state: Admission,
  request: Request,
  metrics: Metrics,
  handle: () => Promise<Response> | Response,
  family: Family,
  staleable: boolean,
  version: number,
  hotMs: number,
): Promise<Response> {
  const permit = await state.gates[family].acquire();
  if (!permit) {
    const copy = staleable ? state.stale.get(request.url, state.clock.now(), STALE_MAX_AGE_MS) : undefined;
    metrics.admission(family, copy ? 'stale' : 'shed');
    return copy ? staleAnswer(state, copy, 'overloaded') : shedResponse(family, request.headers.get('x-request-id') ?? undefined);
  }
  metrics.admission(family, 'admitted');
  let dropped = true;
  let res: Response;
  try {
    res = await handle();
    // Server errors are what overload looks like from here; client errors are not.
    dropped = res.status >= 500;
  } finally {
    permit.release(dropped);
  }
  // stale-if-error: a public read that failed for capacity reasons (the database busy or
  // unreachable, the read-through bulkhead full) gets its last good answer instead.
  if (staleable && res.status === 503) {
    const copy = state.stale.get(request.url, state.clock.now(), STALE_MAX_AGE_MS);
    if (copy) {
      metrics.admission(family, 'stale');
      return staleAnswer(state, copy, 'error');
    }
  }
  if (staleable && res.status === 200 && /\bpublic\b/.test(res.headers.get('cache-control') ?? '')) {
    const now = state.clock.now();
    if (state.stale.wants(request.url, now, version, hotMs || undefined)) {
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => {
        // Rate-limit headers describe the first requester's allowance, not a later reader's.
        if (k !== 'x-request-id' && k !== 'set-cookie' && !k.startsWith('ratelimit-')) headers.push([k, v]);
      });
      const body = await res.clone().arrayBuffer();
      const lifeMs = hotMs ? hotMs * (0.5 + 0.5 * state.random()) : undefined;
      state.stale.put(request.url, { status: 200, headers, body, storedAt: now, version, route: routeOf(res), lifeMs });
    }
  }
  return res;
}

/** The isolate's admission state (one per isolate, like its limits). */
export const isolateAdmission = new Admission();
