/**
 * One error type for the whole API. Domain operations throw AppError with a stable code;
 * the app's onError turns it into `{ error: { code, message, requestId, details? } }`.
 */
export const errorStatus = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  invalid_cursor: 400,
  invalid_signature: 400,
  amount_mismatch: 400,
  /** Dashboards: a date range that is malformed, inverted or longer than the cap. */
  invalid_range: 400,
  /** Consultations: the time is not a bookable slot (past, too soon, beyond the horizon, outside the hours). */
  slot_unavailable: 400,
  /** A password-reset or email-verification link that is unknown, used or expired. */
  invalid_token: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  token_expired: 401,
  payment_required: 402,
  forbidden: 403,
  csrf_failed: 403,
  not_enrolled: 403,
  /** Publishing and paying need a confirmed email address. */
  email_unverified: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  already_exists: 409,
  /** Consultations: another booking holds this time (the exclusion constraint said so). */
  slot_taken: 409,
  gone: 410,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  not_ready: 503,
  service_unavailable: 503,
  /** Admission control: this isolate is at its limit for the route family; Retry-After says when. */
  overloaded: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You may not do this') => new AppError('forbidden', message);
export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, details);
export const unauthorized = (message = 'Authentication required') => new AppError('unauthorized', message);

export const OVERLOADED_MESSAGE = 'The service is busy right now, try again in a moment';
/** What a refusal for overload asks the client to wait (admission's prebuilt 503 says the same). */
export const OVERLOADED_RETRY_AFTER_SEC = 1;
/** This isolate is past its capacity for `family` (a route family, a cache family, its database slots): come back in a second. */
export const overloaded = (family: string) =>
  new AppError(
    'overloaded',
    OVERLOADED_MESSAGE,
    { family, retryAfterSec: OVERLOADED_RETRY_AFTER_SEC },
    { 'Retry-After': String(OVERLOADED_RETRY_AFTER_SEC) },
  );

/** A validation failure naming each bad field: details = { fields: { path: message } }. */
export function validationError(fields: Record<string, string>, message = 'Some fields are invalid') {
  return new AppError('validation_failed', message, { fields });
}
