/**
 * Password hashing that runs inside Workers: PBKDF2-SHA256 through WebCrypto.
 * Workers cap PBKDF2 at 100,000 iterations in production, so that is the count; the
 * password is first keyed with a server-side pepper (HMAC-SHA256), so a stolen database
 * alone cannot be brute-forced. Algorithm and parameters are stored with every hash
 * (`pbkdf2-sha256$<iterations>$<salt>$<hash>`) so they can be raised later and old hashes
 * upgraded on the next successful login.
 */

import { fromBase64, timingSafeEqual, toBase64 } from '../lib/encoding.ts';

export const PBKDF2_ITERATIONS = 100_000;
const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BITS = 256;

const encoder = new TextEncoder();

async function pepper(password: string, secret: string): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', key, encoder.encode(password.normalize('NFKC')));
}

async function derive(password: string, secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const keyed = await pepper(password, secret);
  const base = await crypto.subtle.importKey('raw', keyed, 'PBKDF2', false, ['deriveBits']);
  return crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, HASH_BITS);
}

export async function hashPassword(password: string, secret: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(SALT_BYTES)));
  const hash = await derive(password, secret, salt, iterations);
  return `${ALGORITHM}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

export interface VerifyResult {
  ok: boolean;
  /** The stored hash uses weaker parameters than today's: store a fresh hash. */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, secret: string): Promise<VerifyResult> {
  const [alg, iter, salt, hash] = stored.split('$');
  const iterations = Number(iter);
  if (alg !== ALGORITHM || !salt || !hash || !Number.isInteger(iterations) || iterations < 1) {
    return { ok: false, needsRehash: false };
  }
  const actual = new Uint8Array(await derive(password, secret, fromBase64(salt), iterations));
  const ok = timingSafeEqual(actual, fromBase64(hash));
  return { ok, needsRehash: ok && iterations < PBKDF2_ITERATIONS };
}

/**
 * A fixed hash used when the email is unknown, so the response takes as long as for a
 * real account and timing does not reveal which emails exist.
 */
export const DUMMY_HASH = `${ALGORITHM}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
