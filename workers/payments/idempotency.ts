/**
 * Idempotency keys for payment-creating requests, Stripe's rules: the same key with the same
 * body answers the stored response (a stored 4xx error included), the same key with another
 * body is 422, a key lives 24 hours. The key row is INSERTED before the work starts (the
 * primary key is the lock), so of any number of parallel requests exactly one does the work;
 * the others wait for its stored response. Transient failures (5xx, 429) release the key.
 */
import { and, eq, sql } from 'drizzle-orm';
import { idempotencyKeys } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError, errorStatus, type ErrorCode } from '../lib/errors.ts';

export const KEY_TTL_HOURS = 24;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const WAIT_MS = 10_000;
/** A first request that has not answered in this long died (the Worker was killed): its key may be taken over. */
const ABANDONED_SEC = 60;

export interface Stored<T> {
  status: number;
  body: T;
  replayed: boolean;
}

interface StoredError {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Keys order-independently, so {a,b} and {b,a} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

async function hash(scope: string, body: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${scope}\n${canonical(body)}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function checkKey(key: string | undefined): string {
  if (!key)
    throw new AppError('validation_failed', 'The Idempotency-Key header is required', { fields: { 'Idempotency-Key': 'required' } });
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new AppError('validation_failed', 'The Idempotency-Key header must be 8–128 letters, digits or _.:-', {
      fields: { 'Idempotency-Key': 'invalid' },
    });
  }
  return key;
}

function replay<T>(row: { responseStatus: number | null; responseBody: unknown }): Stored<T> {
  const status = row.responseStatus!;
  if (status >= 400) {
    const e = (row.responseBody as StoredError).error;
    const err = new AppError(e.code in errorStatus ? e.code : 'bad_request', e.message, e.details, { 'Idempotent-Replayed': 'true' });
    throw err;
  }
  return { status, body: row.responseBody as T, replayed: true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withIdempotency<T>(
  ctx: Ctx,
  input: { userId: string; scope: string; key: string; body: unknown },
  work: () => Promise<{ status: number; body: T }>,
): Promise<Stored<T>> {
  const db = ctx.services.db.db;
  const requestHash = await hash(input.scope, input.body);
  const where = and(eq(idempotencyKeys.userId, input.userId), eq(idempotencyKeys.scope, input.scope), eq(idempotencyKeys.key, input.key));
  // Claim: a new key, or one that may be taken over, in one statement.
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({
      userId: input.userId,
      scope: input.scope,
      key: input.key,
      requestHash,
      expiresAt: sql`now() + make_interval(hours => ${KEY_TTL_HOURS})`,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.scope, idempotencyKeys.key],
      set: {
        requestHash,
        responseStatus: null,
        responseBody: null,
        createdAt: sql`now()`,
        expiresAt: sql`now() + make_interval(hours => ${KEY_TTL_HOURS})`,
      },
      // An expired key, or the same request whose first attempt died mid-way (no response after a minute).
      setWhere: sql`${idempotencyKeys.expiresAt} < now() or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.createdAt} < now() - interval '${sql.raw(String(ABANDONED_SEC))} seconds' and ${idempotencyKeys.requestHash} = excluded.request_hash)`,
    })
    .returning({ key: idempotencyKeys.key });

  if (!claimed) {
    const deadline = Date.now() + WAIT_MS;
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      const [row] = await db.select().from(idempotencyKeys).where(where);
      if (!row) break; // released by a failed first request: fall through and claim it ourselves
      if (row.requestHash !== requestHash) {
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body', {
          header: 'Idempotency-Key',
        });
      }
      if (row.responseStatus !== null) return replay<T>(row);
      if (Date.now() > deadline) {
        throw new AppError(
          'conflict',
          'A request with this Idempotency-Key is still in progress; retry shortly',
          { reason: 'in_progress' },
          { 'Retry-After': '1' },
        );
      }
      await sleep(delay);
    }
    return withIdempotency(ctx, input, work);
  }

  try {
    const result = await work();
    await db.update(idempotencyKeys).set({ responseStatus: result.status, responseBody: result.body }).where(where);
    return { ...result, replayed: false };
  } catch (err) {
    if (err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 429) {
      const body: StoredError = {
        error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
      };
      await db.update(idempotencyKeys).set({ responseStatus: err.status, responseBody: body }).where(where);
    } else {
      // Nothing final happened that the client should see again: let a retry with this key run.
      await db
        .delete(idempotencyKeys)
        .where(where)
        .catch(() => {});
    }
    throw err;
  }
}
