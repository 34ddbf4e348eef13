// The one way site scripts talk to the API: JSON in and out, the session cookies and
// CSRF header, the error shape turned into a typed ApiError, and the common failure
// paths handled in one place (401 → login page, 429/503/offline → page notice).
import { pageLang, tc, tcMaybe } from './i18n-client';
import { showNotice } from './notice';
import type { ApiErrorBody } from './types';

export const CSRF_COOKIE = 'sabaq_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const TIMEOUT_MS = 20_000;

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Query parameters; null, undefined and '' are left out. */
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Add `lang=<page language>` so localized texts come back resolved. Default: true for GET. */
  lang?: boolean;
  /** On 401: 'redirect' (default) sends the visitor to the login page; 'throw' leaves it to the caller. */
  on401?: 'redirect' | 'throw';
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string>;
  requestId?: string;
  details?: unknown;
  retryAfter?: number;
}

/** Any failed call. `status` is 0 when the server was not reached (offline, timeout). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** Validation messages by field name, from `details.fields`. */
  readonly fields: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
  readonly details: unknown;
  /** Seconds from `Retry-After`, when the server sent it. */
  readonly retryAfter: number | undefined;
  /** True when the page notice has already told the visitor (429, 503, offline). */
  notified = false;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? {};
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryAfter = init.retryAfter;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A message for the visitor in the page language. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return tc('api.unknown');
  const seconds = error.retryAfter;
  if (error.status === 0) return tc('api.network');
  if (error.status === 429) return seconds ? tc('api.rateLimited', { seconds }) : tc('api.rateLimitedSoon');
  if (error.status === 503) return seconds ? tc('api.unavailable', { seconds }) : tc('api.unavailableSoon');
  return tcMaybe(`error.${error.code}`) ?? (error.message || tc('api.unknown'));
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Whether the browser holds a session (the readable CSRF cookie is set together with it). */
export function hasSession(): boolean {
  return readCookie(CSRF_COOKIE) !== null;
}

/** A same-origin path to return to after login; anything else falls back. */
export function safeNextPath(raw: string | null | undefined, fallback: string): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  try {
    const url = new URL(raw, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}

export function loginUrl(next = location.pathname + location.search, reason?: 'expired'): string {
  return `/${pageLang()}/login?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`;
}

/**
 * Go to the login page and come back here afterwards. Never resolves: the page is leaving.
 * `expired`: the visitor had a session that could not be renewed; the login page says so.
 */
export function redirectToLogin(expired = false): Promise<never> {
  if (!/\/login\/?$/.test(location.pathname)) location.assign(loginUrl(undefined, expired ? 'expired' : undefined));
  return new Promise<never>(() => {});
}

const RESUMED_KEY = 'sabaq_resumed';

/** Called by the login page after logging in again: the next page shows a note once. */
export function markResumed(): void {
  try {
    sessionStorage.setItem(RESUMED_KEY, '1');
  } catch {
    // Storage off: the note is a courtesy.
  }
}

/** True once after markResumed() (the page the expired session was on, loaded again). */
export function takeResumed(): boolean {
  try {
    const set = sessionStorage.getItem(RESUMED_KEY) === '1';
    sessionStorage.removeItem(RESUMED_KEY);
    return set;
  } catch {
    return false;
  }
}

function buildUrl(path: string, query: Query | undefined, lang: boolean): string {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  if (lang && !url.searchParams.has('lang')) url.searchParams.set('lang', pageLang());
  return url.pathname + url.search;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

function withTimeout(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (typeof AbortSignal.timeout !== 'function') return signal;
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  if (!signal) return timeout;
  return typeof AbortSignal.any === 'function' ? AbortSignal.any([signal, timeout]) : signal;
}

async function readJson(res: Response): Promise<unknown> {
  if (res.status === 204 || res.status === 205) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(res: Response, body: unknown): ApiError {
  const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
  const err = (body as Partial<ApiErrorBody> | undefined)?.error;
  if (!err || typeof err.code !== 'string') {
    return new ApiError({ status: res.status, code: `http_${res.status}`, message: '', retryAfter });
  }
  const rawFields = (err.details as { fields?: unknown } | undefined)?.fields;
  const fields: Record<string, string> = {};
  if (rawFields && typeof rawFields === 'object') {
    for (const [name, message] of Object.entries(rawFields)) {
      if (typeof message === 'string') fields[name] = message;
    }
  }
  return new ApiError({
    status: res.status,
    code: err.code,
    message: typeof err.message === 'string' ? err.message : '',
    fields,
    requestId: err.requestId ?? res.headers.get('X-Request-Id') ?? undefined,
    details: err.details,
    retryAfter,
  });
}

let refreshing: Promise<boolean> | null = null;

/**
 * One attempt to renew an expired access token with the refresh cookie, shared by all
 * calls that hit 401 at the same moment. Assumes the Worker accepts
 * `POST /api/auth/refresh` with an empty JSON body from a browser holding the cookies.
 */
function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/api/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: readCookie(CSRF_COOKIE) ?? '' },
    body: '{}',
  })
    .then(
      (res) => res.ok,
      () => false,
    )
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return send<T>(path, options, false);
}

async function send<T>(path: string, options: RequestOptions, isRetry: boolean): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': pageLang(),
    ...options.headers,
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query, options.lang ?? method === 'GET'), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: withTimeout(options.signal),
    });
  } catch (cause) {
    // A caller's own abort is not a failure to report.
    if (options.signal?.aborted) throw cause;
    const error = new ApiError({ status: 0, code: 'network', message: '' });
    showNotice(errorMessage(error));
    error.notified = true;
    throw error;
  }

  const body = await readJson(res);
  if (res.ok) return body as T;

  if (res.status === 401 && !isRetry && !path.startsWith('/api/auth/')) {
    const had = hasSession();
    if (had && (await refreshSession())) return send<T>(path, options, true);
    if ((options.on401 ?? 'redirect') === 'redirect') return redirectToLogin(had);
  }

  const error = toApiError(res, body);
  if (res.status === 429 || res.status === 503) {
    showNotice(errorMessage(error));
    error.notified = true;
  }
  throw error;
}

type Opts = Omit<RequestOptions, 'method' | 'body'>;

export const api = {
  get: <T>(path: string, options?: Opts) => request<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Opts) => request<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: Opts) => request<T>(path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: Opts) => request<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T = void>(path: string, options?: Opts) => request<T>(path, { ...options, method: 'DELETE' }),
};
