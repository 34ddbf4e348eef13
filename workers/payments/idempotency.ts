/**
 * Idempotency keys for payment-creating requests, Stripe's rules: the same key with the same
 * body answers the stored response (a stored 4xx error included), the same key with another
 * body is 422, a key lives 24 hours. The key row is INSERTED before the work starts (the
 * primary key is the lock), so of any number of parallel requests exactly one does the work;
 * the others wait for its stored response. Transient failures (5xx, 429) release the key.
 * Round trips (each ~0.5 ms of the Worker's CPU): the claim carries the caller's precondition,
 * its first read and the row a replay answers from (a replay is that one round trip), and the
 * work's last write may carry the storing of its response (`finish`).
 */
import { and, eq, sql, type ColumnsSelection, type SQL } from 'drizzle-orm';
import type { RunnableQuery } from 'drizzle-orm/runnable-query';
import type { TypedQueryBuilder } from 'drizzle-orm/query-builders/query-builder';
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

export interface Outcome<T> {
  status: number;
  body: T;
}

/** A check of the caller's, evaluated in the claim's own statement: 'ok' lets the claim happen; any other value (null too) is answered with `error(value)`, and nothing is claimed or stored. */
export interface Precondition {
  sql: SQL<string | null>;
  error(value: string | null): AppError;
}

/** A write the work ends with: an update or insert with RETURNING. */
type FinalWrite = TypedQueryBuilder<ColumnsSelection, unknown>;

export interface Claimed<T, R> {
  /** The result of `read`, sent in the claim's round trip. */
  read: R;
  /**
   * The work's last write and the storing of its response in one round trip: one statement, the
   * response stored only if `write` changed a row — so the work can pass a result it knows in
   * advance for that case. false: neither happened (the work answers otherwise, stored as usual).
   * The work then returns this same result.
   */
  finish(write: FinalWrite, result: Outcome<T>): Promise<boolean>;
}

interface KeyRow extends Record<string, unknown> {
  gate: string | null;
  claimed: boolean;
  request_hash: string | null;
  response_status: number | null;
  response_body: unknown;
}

export async function withIdempotency<T, R = undefined>(
  ctx: Ctx,
  input: {
    userId: string;
    scope: string;
    key: string;
    body: unknown;
    precondition?: Precondition;
    /** A read the work needs, sent in the claim's round trip (one batch, one transaction): it runs whether or not the key is claimed, so it must only read. */
    read?: RunnableQuery<R, 'pg'>;
  },
  work: (claimed: Claimed<T, R>) => Promise<Outcome<T>>,
): Promise<Stored<T>> {
  const db = ctx.services.db.db;
  const requestHash = await hash(input.scope, input.body);
  const where = and(eq(idempotencyKeys.userId, input.userId), eq(idempotencyKeys.scope, input.scope), eq(idempotencyKeys.key, input.key));
  const gate = input.precondition?.sql ?? sql`'ok'`;
  // One statement: the precondition, the claim (a new key, or one that may be taken over: an
  // expired key, or the same request whose first attempt died mid-way, with no response after a
  // minute) and, when the key is someone else's, its row — what a replay answers from. An expired
  // row is left out of that: one the claim could not take over was taken by a request this
  // statement's snapshot does not see yet, and is read anew below.
  const claim = db.execute<KeyRow>(sql`
    with gate as (select ${gate}::text as v),
    claim as (
      insert into idempotency_keys (user_id, scope, key, request_hash, expires_at)
      select ${input.userId}::uuid, ${input.scope}, ${input.key}, ${requestHash}, now() + make_interval(hours => ${KEY_TTL_HOURS})
      from gate where gate.v = 'ok'
      on conflict (user_id, scope, key) do update
        set request_hash = excluded.request_hash, response_status = null, response_body = null, created_at = now(), expires_at = excluded.expires_at
        where idempotency_keys.expires_at < now()
          or (idempotency_keys.response_status is null and idempotency_keys.created_at < now() - make_interval(secs => ${ABANDONED_SEC})
              and idempotency_keys.request_hash = excluded.request_hash)
      returning 1
    )
    select gate.v as gate, exists (select 1 from claim) as claimed, k.request_hash, k.response_status, k.response_body
    from gate left join idempotency_keys k
      on k.user_id = ${input.userId}::uuid and k.scope = ${input.scope} and k.key = ${input.key} and k.expires_at >= now()`);
  const [claimResult, read] = input.read
    ? ((await db.batch([claim, input.read])) as [{ rows: KeyRow[] }, R])
    : [await claim, undefined as R];
  const first = claimResult.rows[0];
  if (first?.gate !== 'ok') throw input.precondition!.error(first?.gate ?? null);

  if (!first.claimed) {
    let row =
      first.request_hash === null
        ? undefined
        : { requestHash: first.request_hash, responseStatus: first.response_status, responseBody: first.response_body };
    const deadline = Date.now() + WAIT_MS;
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      if (!row) break; // released by a failed first request (or not visible to the claim yet): claim again
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
      [row] = await db.select().from(idempotencyKeys).where(where);
    }
    return withIdempotency(ctx, input, work);
  }

  let stored: Outcome<T> | undefined;
  const finish = async (write: FinalWrite, result: Outcome<T>): Promise<boolean> => {
    const written = db.$with('written').as(write);
    const done = await db
      .with(written)
      .update(idempotencyKeys)
      .set({ responseStatus: result.status, responseBody: result.body })
      .where(and(where, sql`exists (select 1 from ${written})`))
      .returning({ key: idempotencyKeys.key });
    if (done.length > 0) stored = result;
    return done.length > 0;
  };
  try {
    const result = await work({ read, finish });
    if (result !== stored) await db.update(idempotencyKeys).set({ responseStatus: result.status, responseBody: result.body }).where(where);
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
