/**
 * Password hashing that runs inside Workers: PBKDF2-SHA256 through WebCrypto.
 * Workers cap PBKDF2 at 100,000 iterations in production, so that is the count; the
 * password is first keyed with a server-side pepper (HMAC-SHA256), so a stolen database
 * alone cannot be brute-forced. Algorithm and parameters are stored with every hash
 * (`pbkdf2-sha256$<iterations>$<salt>$<hash>`) so they can be raised later and old hashes
 * upgraded on the next successful login.
 */
export const PBKDF2_ITERATIONS = 100_000;
const ALGORITHM = 'pbkdf2-sha256';
const SALT_BYTES = 16;
const HASH_BITS = 256;

const encoder = new TextEncoder();

function toB64(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (const b of view) s += String.fromCharCode(b);
  return btoa(s);
}

function fromB64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

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
  return `${ALGORITHM}$${iterations}$${toB64(salt)}$${toB64(hash)}`;
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
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
  const actual = new Uint8Array(await derive(password, secret, fromB64(salt), iterations));
  const ok = timingSafeEqual(actual, fromB64(hash));
  return { ok, needsRehash: ok && iterations < PBKDF2_ITERATIONS };
}

/**
 * A fixed hash used when the email is unknown, so the response takes as long as for a
 * real account and timing does not reveal which emails exist.
 */
export const DUMMY_HASH = `${ALGORITHM}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
