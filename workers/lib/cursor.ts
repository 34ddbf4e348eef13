import { isId } from './context.ts';
import { AppError } from './errors.ts';
import { fromBase64Url, timingSafeEqual, toBase64Url } from './encoding.ts';

/**
 * Opaque, signed pagination cursors. A cursor carries the sort key of the last row of a
 * page (keyset pagination: stable under concurrent inserts, no OFFSET scans); the HMAC
 * makes a tampered cursor a clear 400 instead of a silently different page.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(`cursor:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

export type CursorValue = (string | number | null)[];

export async function encodeCursor(values: CursorValue, secret: string): Promise<string> {
  const payload = encoder.encode(JSON.stringify(values));
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), payload));
  return `${toBase64Url(payload)}.${toBase64Url(sig.slice(0, 16))}`;
}

const invalid = () => new AppError('invalid_cursor', 'The cursor is invalid or has been tampered with', { fields: { cursor: 'invalid' } });

export async function decodeCursor(cursor: string, secret: string): Promise<CursorValue> {
  const [p, s] = cursor.split('.');
  if (!p || !s || cursor.length > 512) throw invalid();
  let payload: Uint8Array<ArrayBuffer>;
  let sig: Uint8Array<ArrayBuffer>;
  try {
    payload = fromBase64Url(p);
    sig = fromBase64Url(s);
  } catch {
    throw invalid();
  }
  const full = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), payload));
  if (sig.length !== 16 || !timingSafeEqual(full.slice(0, 16), sig)) throw invalid();
  try {
    const value = JSON.parse(new TextDecoder().decode(payload)) as unknown;
    if (!Array.isArray(value)) throw invalid();
    return value as CursorValue;
  } catch {
    throw invalid();
  }
}

/** A keyset cursor over (timestamp, id): the timestamp as Postgres printed it and a row id. */
export async function decodeTimeIdCursor(cursor: string, secret: string): Promise<[at: string, id: string]> {
  const [at, id] = await decodeCursor(cursor, secret);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !isId(id)) throw invalid();
  return [at, id];
}

/**
 * A keyset cursor that names its order ([tag, key, id]): for lists that can be sorted several
 * ways by keys of the same type (rating, popularity), so a cursor of one order is a 400 on
 * another instead of a silently wrong page.
 */
export async function decodeTaggedCursor(
  cursor: string,
  secret: string,
  tag: string,
  key: 'time' | 'score',
): Promise<[key: string | number, id: string]> {
  const [t, k, id] = await decodeCursor(cursor, secret);
  const keyOk = key === 'score' ? typeof k === 'number' && Number.isFinite(k) : typeof k === 'string' && !Number.isNaN(Date.parse(k));
  if (t !== tag || !keyOk || typeof id !== 'string' || !isId(id)) throw invalid();
  return [k as string | number, id];
}

/**
 * A tagged keyset cursor over (time or null, id), for orders that put rows without the time
 * last (the directory by next free slot): [tag, time | null, id].
 */
export async function decodeTaggedNullableTimeCursor(
  cursor: string,
  secret: string,
  tag: string,
): Promise<[at: string | null, id: string]> {
  const [t, at, id] = await decodeCursor(cursor, secret);
  const atOk = at === null || (typeof at === 'string' && !Number.isNaN(Date.parse(at)));
  if (t !== tag || !atOk || typeof id !== 'string' || !isId(id)) throw invalid();
  return [at as string | null, id];
}

export const PAGE_MAX = 100;
export const PAGE_DEFAULT = 20;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is more. */
export async function toPage<T>(rows: T[], limit: number, key: (row: T) => CursorValue, secret: string): Promise<Page<T>> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? await encodeCursor(key(last), secret) : null;
  return { items, nextCursor };
}
